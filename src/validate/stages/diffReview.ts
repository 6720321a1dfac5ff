import { concatRunData, getContractVersion, getStorageLayout, type StorageLayout } from '@openzeppelin/upgrades-core'
import { formatAbiItem } from 'viem/utils'
import type { Abi, AbiEvent, AbiFunction } from 'viem'

type AbiError = Extract<Abi[number], { type: 'error' }>
import { contractFacts, type FunctionFacts } from '../contractFacts.js'
import { createFinding } from '../findings.js'
import type { FindingKind } from '../findings.js'
import type { BuiltContract, Finding, StageContext, StageOutput, TargetBuild } from '../stage.js'
import { validateBuildInfo } from '../validateBuildInfo.js'

/**
 * The auditor's diff between the implementation on chain (the reference build) and the new one:
 * ABI (functions, events, errors added/removed/changed), storage appended, access control added or
 * removed per function, new external calls, and any new delegatecall or selfdestruct.
 * Targets without a reference build are skipped here (upgrade safety reports them).
 */
export async function runDiffReview(context: StageContext): Promise<StageOutput> {
  const findings: Finding[] = []
  const reviewed: string[] = []
  for (const build of context.builds) {
    if (!build.reference) continue
    findings.push(...diffTarget(build, build.reference))
    reviewed.push(build.target)
  }
  if (reviewed.length === 0) return { findings, skipped: 'no target has a reference build to diff against' }
  const counts = (kinds: readonly FindingKind[]) => findings.filter((f) => kinds.includes(f.kind)).length
  return {
    findings,
    summary: `${reviewed.length} target(s): ${counts(['abi-function-added', 'abi-function-removed', 'abi-function-changed'])} function change(s), ${counts(['access-control-added', 'access-control-removed'])} access-control change(s), ${counts(['external-call-added'])} new external call(s)`,
  }
}

export function diffTarget(build: TargetBuild, reference: BuiltContract): Finding[] {
  const findings: Finding[] = []
  const newContract = build.implementation
  const add = (kind: FindingKind, message: string, location: Finding['location'] = {}, details?: Finding['details']) =>
    findings.push(
      createFinding('diff-review', kind, {
        target: build.target,
        message: `${build.target}: ${message}`,
        location: { file: newContract.artifact.sourceName, contract: newContract.artifact.contractName, ...location },
        ...(details ? { details } : {}),
      }),
    )

  const oldFacts = contractFacts(reference.buildInfo, reference.artifact.sourceName, reference.artifact.contractName).functions
  const newFacts = contractFacts(newContract.buildInfo, newContract.artifact.sourceName, newContract.artifact.contractName).functions

  // ABI: functions by signature; same signature with other mutability or outputs is a change.
  const oldFunctions = byKey(reference.artifact.abi.filter((i): i is AbiFunction => i.type === 'function'))
  const newFunctions = byKey(newContract.artifact.abi.filter((i): i is AbiFunction => i.type === 'function'))
  for (const [key, item] of newFunctions) {
    const before = oldFunctions.get(key)
    if (!before) {
      const guards = [...(newFacts.get(key)?.guards ?? [])]
      const mutating = item.stateMutability !== 'view' && item.stateMutability !== 'pure'
      add('abi-function-added', `${formatAbiItem(item)} added${mutating ? (guards.length > 0 ? `, restricted by ${guards.join(', ')}` : ', no access check on any path (the initializer-safety stage calls it as a stranger on a fork and blocks if it changes privileged state)') : ''}`, { function: item.name }, {
        signature: key,
        guards,
      })
    } else if (formatAbiItem(before) !== formatAbiItem(item) || JSON.stringify(before.outputs) !== JSON.stringify(item.outputs)) {
      // A struct's members do not show in the formatted signature: name the member that changed.
      const members = parameterChanges('returns', before.outputs, item.outputs)
      const shown = formatAbiItem(before) === formatAbiItem(item) ? `${formatAbiItem(item)}: ${members.join('; ')}` : `${formatAbiItem(before)} → ${formatAbiItem(item)}${members.length > 0 ? ` (${members.join('; ')})` : ''}`
      add('abi-function-changed', `${key}: ${shown}`, { function: item.name }, { members })
    }
  }
  for (const [key, item] of oldFunctions) if (!newFunctions.has(key)) add('abi-function-removed', `${formatAbiItem(item)} removed`, { function: item.name })

  diffNamed(
    reference.artifact.abi.filter((i): i is AbiEvent => i.type === 'event'),
    newContract.artifact.abi.filter((i): i is AbiEvent => i.type === 'event'),
    (event) => event.inputs.map((input) => `${input.indexed ? 'indexed ' : ''}${input.name ?? ''}`).join(','),
    { added: 'abi-event-added', removed: 'abi-event-removed', changed: 'abi-event-changed' },
    add,
  )
  diffNamed(
    reference.artifact.abi.filter((i): i is AbiError => i.type === 'error'),
    newContract.artifact.abi.filter((i): i is AbiError => i.type === 'error'),
    (error) => error.inputs.map((input) => input.name ?? '').join(','),
    { added: 'abi-error-added', removed: 'abi-error-removed', changed: 'abi-error-changed' },
    add,
  )

  // Behaviour per function: access control, external calls, delegatecall, selfdestruct.
  const oldDelegatecalls = union(oldFacts, (f) => f.delegatecalls)
  const oldSelfdestructs = union(oldFacts, (f) => f.selfdestructs)
  const reportedDelegatecalls = new Set<string>()
  const reportedSelfdestructs = new Set<string>()
  for (const [key, facts] of newFacts) {
    const before = oldFacts.get(key)
    const name = key.slice(0, key.indexOf('('))
    if (before) {
      const removed = [...before.guards].filter((guard) => !facts.guards.has(guard))
      const added = [...facts.guards].filter((guard) => !before.guards.has(guard))
      if (removed.length > 0) {
        add('access-control-removed', `${key} no longer checks ${removed.join(', ')}${facts.guards.size === 0 ? ': anyone can call it now' : ''}`, { function: name }, {
          removed,
          remaining: [...facts.guards],
        })
      }
      if (added.length > 0) add('access-control-added', `${key} now checks ${added.join(', ')}`, { function: name }, { added })
    }
    const newCalls = [...facts.externalCalls].filter((call) => !before?.externalCalls.has(call))
    if (newCalls.length > 0) add('external-call-added', `${key} now calls ${newCalls.join(', ')}`, { function: name }, { calls: newCalls })
    for (const site of facts.delegatecalls) {
      if (oldDelegatecalls.has(site) || reportedDelegatecalls.has(site)) continue
      reportedDelegatecalls.add(site)
      add('delegatecall-added', `${site} delegatecalls (reachable from ${key})`, { function: site.slice(site.indexOf('.') + 1) }, { site, entry: key })
    }
    for (const site of facts.selfdestructs) {
      if (oldSelfdestructs.has(site) || reportedSelfdestructs.has(site)) continue
      reportedSelfdestructs.add(site)
      add('selfdestruct-added', `${site} calls selfdestruct (reachable from ${key})`, { function: site.slice(site.indexOf('.') + 1) }, { site, entry: key })
    }
  }

  // Storage: variables that are new and come after everything the reference had (insertions are upgrade-safety's).
  for (const appended of appendedStorage(layoutOf(reference), layoutOf(newContract))) {
    add('storage-variable-appended', `${appended.label} (${appended.type}) appended${appended.namespace ? ` to ${appended.namespace}` : ''}`, { variable: appended.label }, {
      ...(appended.namespace ? { namespace: appended.namespace } : {}),
      type: appended.type,
    })
  }
  return findings
}

function layoutOf(contract: BuiltContract): StorageLayout {
  const run = validateBuildInfo(contract.buildInfo)
  return getStorageLayout(concatRunData(run), getContractVersion(run, contract.contract))
}

type Appended = { label: string; type: string; namespace?: string }

export function appendedStorage(original: StorageLayout, updated: StorageLayout): Appended[] {
  const typeLabel = (layout: StorageLayout, type: string) => layout.types[type]?.label ?? type
  const appendedIn = (before: { label: string }[], after: { label: string; type: string }[], namespace?: string): Appended[] => {
    const known = new Set(before.map((item) => item.label))
    let lastKnown = -1
    after.forEach((item, index) => {
      if (known.has(item.label)) lastKnown = index
    })
    return after
      .slice(lastKnown + 1)
      .filter((item) => !known.has(item.label))
      .map((item) => ({ label: item.label, type: typeLabel(updated, item.type), ...(namespace ? { namespace } : {}) }))
  }
  const result = appendedIn(original.storage, updated.storage)
  for (const [namespace, items] of Object.entries(updated.namespaces ?? {})) {
    result.push(...appendedIn(original.namespaces?.[namespace] ?? [], items, namespace))
  }
  return result
}

function byKey(functions: AbiFunction[]): Map<string, AbiFunction> {
  return new Map(functions.map((item) => [`${item.name}(${item.inputs.map((input) => formatType(input)).join(',')})`, item]))
}

type Parameter = { name?: string | undefined; type: string; internalType?: string | undefined; components?: readonly Parameter[] }

/**
 * Member by member, how two parameter lists differ: `returns.reserve.lastUpdateTimestamp uint40 → uint32`,
 * a member renamed, added or removed, or a struct renamed (its internalType).
 */
export function parameterChanges(path: string, before: readonly Parameter[], after: readonly Parameter[]): string[] {
  const changes: string[] = []
  const single = before.length === 1 && after.length === 1
  // Unnamed: by position, or nothing for a lone value (`returns.lastUpdateTimestamp`, not `returns.#1.…`).
  const label = (parameter: Parameter | undefined, index: number) => (parameter?.name ? `.${parameter.name}` : single ? '' : `.#${index + 1}`)
  const typeOf = (parameter: Parameter) => (parameter.components ? (parameter.internalType ?? parameter.type) : parameter.type)
  for (let index = 0; index < Math.max(before.length, after.length); index += 1) {
    const old = before[index]
    const now = after[index]
    const at = `${path}${label(now ?? old, index)}`
    if (!old) changes.push(`${at} (${typeOf(now!)}) added`)
    else if (!now) changes.push(`${at} (${typeOf(old)}) removed`)
    else {
      if ((old.name ?? '') !== (now.name ?? '')) changes.push(`${path}${label(old, index)} renamed to ${now.name || `#${index + 1}`}`)
      if (old.components && now.components && old.type === now.type) {
        if (old.internalType !== now.internalType) changes.push(`${at} ${old.internalType ?? old.type} → ${now.internalType ?? now.type}`)
        changes.push(...parameterChanges(at, old.components, now.components))
      } else if (formatType(old) !== formatType(now) || old.internalType !== now.internalType) {
        changes.push(`${at} ${old.internalType ?? formatType(old)} → ${now.internalType ?? formatType(now)}`)
      }
    }
  }
  return changes
}

function formatType(parameter: { type: string; components?: readonly { type: string }[] }): string {
  return parameter.type.startsWith('tuple') && parameter.components
    ? `(${parameter.components.map((c) => formatType(c)).join(',')})${parameter.type.slice(5)}`
    : parameter.type
}

function diffNamed<T extends AbiEvent | AbiError>(
  before: T[],
  after: T[],
  shape: (item: T) => string,
  kinds: { added: FindingKind; removed: FindingKind; changed: FindingKind },
  add: (kind: FindingKind, message: string) => void,
) {
  const key = (item: T) => `${item.name}(${item.inputs.map((input) => formatType(input)).join(',')})`
  const oldItems = new Map(before.map((item) => [key(item), item]))
  const newItems = new Map(after.map((item) => [key(item), item]))
  const label = kinds.added === 'abi-event-added' ? 'event' : 'error'
  for (const [signature, item] of newItems) {
    const previous = oldItems.get(signature)
    if (!previous) add(kinds.added, `${label} ${signature} added`)
    else if (shape(previous) !== shape(item)) add(kinds.changed, `${label} ${signature}: ${formatAbiItem(previous)} → ${formatAbiItem(item)}`)
  }
  for (const signature of oldItems.keys()) if (!newItems.has(signature)) add(kinds.removed, `${label} ${signature} removed`)
}

function union(facts: Map<string, FunctionFacts>, pick: (f: FunctionFacts) => Set<string>): Set<string> {
  const all = new Set<string>()
  for (const f of facts.values()) for (const item of pick(f)) all.add(item)
  return all
}

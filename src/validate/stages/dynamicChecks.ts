import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AbiParameter, Address } from 'viem'
import { compileProject } from '../../compile/compileProject.js'
import { getArtifact } from '../../compile/getArtifact.js'
import { buildCacheDir } from '../../compile/loadCompiler.js'
import type { Artifact } from '../../compile/artifacts.js'
import { CheckInvalidError } from '../dynamicStageErrors.js'
import type { BuildSource, FoundryTest, ScriptCheck } from '../manifest.js'
import { runForgeTests, type ForgeTestResult } from '../forgeShim.js'
import type { StageContext } from '../stage.js'
import type { ValidationFork } from './validationFork.js'

/** What a TypeScript PoC or regression script receives: the fork it runs on and the patch's targets. */
export type DynamicCheckScriptContext = {
  rpcUrl: string
  chainId: number
  /** The production block the fork was taken at. */
  blockNumber: bigint
  /** Whether the patch has been applied on this fork. */
  patched: boolean
  targets: { name: string; proxy: Address }[]
  /** The check's `env` from the manifest. */
  env: Readonly<Record<string, string>>
}

/** Loads a script check's function from the manifest directory. */
export async function loadScript(context: Pick<StageContext, 'manifestDir'>, check: string, script: ScriptCheck): Promise<(input: DynamicCheckScriptContext) => Promise<unknown>> {
  const file = path.resolve(context.manifestDir, script.path)
  let module: Record<string, unknown>
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  } catch (error) {
    throw new CheckInvalidError({ check, reason: `cannot load ${script.path}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, cause: error })
  }
  const exported = module[script.export ?? 'default']
  if (typeof exported !== 'function') {
    throw new CheckInvalidError({ check, reason: `${script.path} has no function export "${script.export ?? 'default'}"` })
  }
  return exported as (input: DynamicCheckScriptContext) => Promise<unknown>
}

export function scriptContext(context: Pick<StageContext, 'chainId' | 'blockNumber' | 'builds'>, fork: ValidationFork, patched: boolean, script: ScriptCheck): DynamicCheckScriptContext {
  return {
    env: script.env ?? {},
    rpcUrl: fork.rpcUrl,
    chainId: context.chainId,
    blockNumber: context.blockNumber,
    patched,
    targets: context.builds.map((build) => ({ name: build.target, proxy: build.proxy })),
  }
}

/** Runs a manifest Foundry selection against a fork. */
export function runFoundrySelection(context: Pick<StageContext, 'manifestDir' | 'signal'>, fork: ValidationFork, selection: FoundryTest): Promise<ForgeTestResult[]> {
  return runForgeTests({
    root: path.resolve(context.manifestDir, selection.root),
    forkUrl: fork.rpcUrl,
    matchPath: selection.path,
    matchContract: selection.contract,
    matchTest: selection.test,
    env: selection.env,
    signal: context.signal,
  }).then((run) => run.results)
}

/** Compiles a PoC contract given as Solidity sources (the PoC formats that need no chain build). */
export async function compileCheckContract(context: Pick<StageContext, 'manifestDir'>, check: string, build: BuildSource): Promise<Artifact> {
  if (!build.sources) throw new CheckInvalidError({ check, reason: 'a PoC contract must be given as "sources"' })
  const root = path.resolve(context.manifestDir, build.root ?? '.')
  try {
    const output = await compileProject({
      root,
      sources: build.sources.map((source) => path.relative(root, path.resolve(context.manifestDir, source))),
      // The machine's shared build cache, never a cache/ folder in the team's repository.
      cacheDir: buildCacheDir(),
    })
    return getArtifact(output, build.contract)
  } catch (error) {
    throw new CheckInvalidError({ check, reason: error instanceof Error ? error.message.split('\n')[0]! : String(error), cause: error })
  }
}

/** JSON manifest arguments → what viem encodes: integers (given as strings or numbers) become bigint, recursively. */
export function coerceArguments(inputs: readonly AbiParameter[], args: readonly unknown[]): unknown[] {
  return inputs.map((input, index) => coerceArgument(input, args[index]))
}

function coerceArgument(input: AbiParameter, value: unknown): unknown {
  if (input.type.endsWith(']') && Array.isArray(value)) {
    const element = { ...input, type: input.type.slice(0, input.type.lastIndexOf('[')) } as AbiParameter
    return value.map((item) => coerceArgument(element, item))
  }
  if (/^u?int\d*$/.test(input.type) && (typeof value === 'string' || typeof value === 'number')) return BigInt(value)
  if (input.type === 'tuple' && 'components' in input && Array.isArray(value)) return coerceArguments(input.components, value)
  return value
}

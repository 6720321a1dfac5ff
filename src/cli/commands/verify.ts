import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Hex } from 'viem'
import { connectChain } from '../../chain/connectChain.js'
import { parseAddress } from '../../chain/parseAddress.js'
import { defaultProjectFile, loadProject, resolveRpcUrl } from '../../config/loadProject.js'
import { openLifecycle } from '../../lifecycle/context.js'
import { localRoles } from '../../lifecycle/lifecycleApi.js'
import type { Actor } from '../../lifecycle/types.js'
import { verifyPatchRelease } from '../../operations/verifyPatchRelease.js'
import { readReleaseReport } from '../../release/readReleaseReport.js'
import { loadRelease } from '../../release/releaseRecords.js'
import { verifyRelease, type VerifyReleaseReturnType } from '../../release/verifyRelease.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import type { CliIo } from '../io.js'
import { progress } from '../io.js'
import { json } from './release.js'

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Verify a release on chain: gate events, ERC-1967 slots, codehash and runtime against the validated report (third parties: only an RPC URL and the public report).',
  usage: ['bulwark verify <patch> [--rpc URL] [--project FILE] [--json]', '       bulwark verify --report FILE --rpc URL [--gate ADDRESS] [--json]'].join('\n'),
  positionals: true,
  options: {
    report: { type: 'string', valueName: 'file', description: 'Third-party mode: the public validation report file; nothing local (database, project file) is read.' },
    rpc: { type: 'string', valueName: 'url', description: 'RPC endpoint of the release chain (patch mode: default the project file\'s chain).' },
    gate: { type: 'string', valueName: 'address', description: 'Third-party mode: the ReleaseGate (default: found from its PatchReleased event for the report hash).' },
    project: { type: 'string', valueName: 'file', description: 'Patch mode: project file naming the chain (default bulwark.json).' },
    as: { type: 'string', valueName: 'name', description: 'Act as this local operator (default: $USER).' },
  },
  async run({ values, positionals }, io) {
    const say = progress(io, Boolean(values.quiet) || Boolean(values.json))
    const reportFile = values.report as string | undefined
    const rpcFlag = values.rpc as string | undefined
    if (rpcFlag !== undefined && !/^https?:\/\/\S+$/.test(rpcFlag)) throw new UsageError({ message: '--rpc must be an http(s):// URL.', usage: verifyCommand.usage })
    if ((positionals.length === 1) === (reportFile !== undefined) || positionals.length > 1) {
      throw new UsageError({ message: 'Give either a patch id, or --report FILE --rpc URL.', usage: verifyCommand.usage })
    }
    if (reportFile !== undefined) {
      if (rpcFlag === undefined) throw new UsageError({ message: 'bulwark verify --report needs --rpc URL.', usage: verifyCommand.usage })
      const report = await readReleaseReport(path.resolve(io.cwd, reportFile))
      const { client } = await connectChain({ rpcUrl: rpcFlag })
      say(`verifying report ${report.hash} on ${rpcFlag}`)
      const gate = values.gate === undefined ? undefined : parseAddress(values.gate as string, '--gate')
      const result = await verifyRelease(client, { report, gate })
      print(io, values, result, undefined)
      return result.ok ? 0 : 1
    }

    const patchId = positionals[0]!
    const actor: Actor = { id: (values.as as string | undefined) ?? io.env.USER ?? io.env.USERNAME ?? 'local', roles: localRoles }
    const context = await openLifecycle({ cwd: io.cwd, env: io.env })
    try {
      await loadRelease(context.store, patchId)
      let rpcUrl = rpcFlag
      if (rpcUrl === undefined) {
        const file = path.resolve(io.cwd, (values.project as string | undefined) ?? defaultProjectFile)
        if (values.project === undefined && !existsSync(file)) throw new UsageError({ message: 'Give --rpc URL, or a project file naming the chain.', usage: verifyCommand.usage })
        const project = await loadProject(file)
        rpcUrl = resolveRpcUrl(project, project.release?.chain ?? Object.keys(project.chains)[0]!, file)
      }
      const { result, patch } = await verifyPatchRelease(context, { patchId, rpcUrl, actor, onProgress: say })
      const patchStatus = patch.status
      print(io, values, result, { patchId, patchStatus })
      return result.ok ? 0 : 1
    } finally {
      await context.store.close()
    }
  },
}

function print(io: CliIo, values: Record<string, unknown>, result: VerifyReleaseReturnType, patch: { patchId: string; patchStatus: string } | undefined) {
  if (values.json) {
    io.stdout(json({ ...result, ...(patch ?? {}) }))
    return
  }
  io.stdout(`${result.ok ? 'VERIFIED' : 'NOT VERIFIED'} — report ${result.reportHash as Hex}${result.gate ? `, gate ${result.gate}` : ''}${patch ? `; patch ${patch.patchId} is ${patch.patchStatus}` : ''}`)
  for (const check of result.checks) io.stdout(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.check}: ${check.detail}`)
}

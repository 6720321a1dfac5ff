import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Hex, LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { demoReleaseConfig } from '../../chain/demoEntries.js'
import { demoAuditorAccountIndices } from '../../chain/deployDemoProtocol.js'
import { devAccount, devRoles } from '../../chain/devAccounts.js'
import { bulwarkRoot } from '../../compile/bulwarkRoot.js'
import { defaultProjectFile, loadProject } from '../../config/loadProject.js'
import type { ProjectRelease } from '../../config/projectSchema.js'
import { BaseError } from '../../errors/BaseError.js'
import type { DemoDevnet } from '../../operations/playDemo.js'

/** The process (server or worker) lacks what an operation needs; nothing was started. */
export class OperationNotConfiguredError extends BaseError {
  override readonly name = 'OperationNotConfiguredError'
  constructor({ what, hint }: { what: string; hint: string }) {
    super('BW_OPERATION_NOT_CONFIGURED', `This server has no ${what}; nothing was started.`, { metaMessages: [hint] })
  }
}

/**
 * What the API and the workers run validations and releases with, read from the process's own
 * environment, never from a request: a caller names a patch, not an RPC endpoint, a file or a key.
 *
 * - RPC endpoint of chain N: BULWARK_RPC_URL_<N>, else the attached devnet's (`npm start`), else BULWARK_RPC_URL.
 * - Release section: the project file BULWARK_PROJECT (default `bulwark.json` in the working directory), else the devnet's.
 * - The account that submits release transactions: BULWARK_RELEASE_KEY (hex private key), else the devnet's deployer.
 * - Auditor keys that sign the gate's ReleaseAttestation: BULWARK_AUDITOR_KEYS (comma-separated), else the devnet's auditors.
 * - Where manifest paths resolve: the project file's folder, else Bulwark's root on a devnet, else the working directory.
 */
export type OperationsSetup = {
  rpcUrlOf(chainId: number | null | undefined): string
  release(): Promise<{ release: ProjectRelease; projectFile: string }>
  submitter(): LocalAccount
  auditors(): LocalAccount[]
  projectRoot(): string
}

export function operationsSetup(env: NodeJS.ProcessEnv, devnet?: DemoDevnet | undefined): OperationsSetup {
  const projectFile = path.resolve(env['BULWARK_PROJECT'] ?? defaultProjectFile)
  const hasProject = env['BULWARK_PROJECT'] !== undefined || existsSync(projectFile)
  return {
    rpcUrlOf(chainId) {
      const url = (chainId ? env[`BULWARK_RPC_URL_${chainId}`] : undefined) ?? (devnet && (!chainId || devnet.chainId === chainId) ? devnet.rpcUrl : undefined) ?? env['BULWARK_RPC_URL']
      if (!url) throw new OperationNotConfiguredError({ what: `RPC endpoint for chain ${chainId ?? '(unknown)'}`, hint: `Set BULWARK_RPC_URL_${chainId ?? '<chainId>'} or BULWARK_RPC_URL in the environment of the server and workers.` })
      return url
    },
    async release() {
      if (hasProject) {
        const project = await loadProject(projectFile)
        if (project.release) return { release: project.release, projectFile }
        throw new OperationNotConfiguredError({ what: 'release configuration', hint: `${path.basename(projectFile)} has no "release" section (gate, Create2Deployer, routes); see docs/project-file.md.` })
      }
      if (devnet) return { release: { chain: 'devnet', ...demoReleaseConfig(devnet.protocol) } as unknown as ProjectRelease, projectFile: 'devnet' }
      throw new OperationNotConfiguredError({ what: 'release configuration', hint: 'Set BULWARK_PROJECT to a project file with a "release" section, or start the server in the folder holding bulwark.json.' })
    },
    submitter() {
      const key = env['BULWARK_RELEASE_KEY']
      if (key !== undefined) return accountOf(key, 'BULWARK_RELEASE_KEY')
      if (devnet) return devAccount(devRoles.deployer)
      throw new OperationNotConfiguredError({ what: 'release submitter key', hint: 'Set BULWARK_RELEASE_KEY to the private key of a funded account (the Safe owners\u2019 confirmations authorize; this key only pays gas).' })
    },
    auditors() {
      const keys = env['BULWARK_AUDITOR_KEYS']
      if (keys !== undefined) return keys.split(',').filter((key) => key.trim() !== '').map((key) => accountOf(key.trim(), 'BULWARK_AUDITOR_KEYS'))
      if (devnet) return demoAuditorAccountIndices.slice(0, devnet.protocol.auditorThreshold).map((index) => devAccount(index))
      return []
    },
    projectRoot: () => (hasProject ? path.dirname(projectFile) : devnet ? bulwarkRoot() : process.cwd()),
  }
}

function accountOf(key: string, variable: string): LocalAccount {
  // The key never appears in the message.
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new OperationNotConfiguredError({ what: `usable ${variable}`, hint: `${variable} must hold 32-byte hex private key(s) (0x followed by 64 hex digits).` })
  return privateKeyToAccount(key as Hex)
}

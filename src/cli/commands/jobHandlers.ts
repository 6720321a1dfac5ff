import path from 'node:path'
import { z } from 'zod'
import type { JobHandler } from '../../jobs/jobContext.js'
import type { JobKind } from '../../jobs/jobKinds.js'
import { operationsSetup } from '../../jobs/handlers/operationsSetup.js'
import { releaseExecuteJob } from '../../jobs/handlers/releaseExecuteJob.js'
import { releasePlanJob } from '../../jobs/handlers/releasePlanJob.js'
import { validateJob } from '../../jobs/handlers/validateJob.js'
import { verifyJob } from '../../jobs/handlers/verifyJob.js'
import type { LifecycleContext } from '../../lifecycle/context.js'
import { captureIo } from '../testIo.js'

const commandJobInputSchema = z.strictObject({
  /** The command's arguments after its name (e.g. `["--patch", "P-1"]` for verify). */
  args: z.array(z.string()),
  /** Working directory the command runs in (absolute; the project file and relative paths resolve from it). */
  cwd: z.string().refine((dir) => path.isAbsolute(dir), 'must be an absolute path').optional(),
})

/** The CLI command a kind runs as (intel scan and monitor backtest have no operation of their own yet; verify only with `args`). */
const commandOf: Record<Exclude<JobKind, 'validate' | 'release-plan' | 'release-execute'>, string[]> = {
  verify: ['verify'],
  'intel-scan': ['intel', 'scan'],
  'monitor-backtest': ['monitor', 'backtest'],
}

/**
 * The handlers `bulwark worker` runs. Validation, release plan and execute, and a patch's
 * verification (`{ patchId, actor }`, as the API enqueues it) have their own handlers over
 * src/operations (src/jobs/handlers), configured from the worker's environment (operationsSetup);
 * verify with `{ args }`, intel scan and monitor backtest run the CLI command in-process with `--json` as one
 * stage whose output is the job's result. Backtest only reads the chain; verify re-reads the
 * patch and moves it only if it is not verified yet, so a retry repeats no audit entry.
 */
export function jobHandlers(context: Pick<LifecycleContext, 'signingKey'>, env: NodeJS.ProcessEnv): Record<JobKind, JobHandler> {
  const commandJob =
    (kind: keyof typeof commandOf): JobHandler =>
    async (job) => {
      const input = commandJobInputSchema.parse(job.job.input)
      return job.stage('command', async () => {
        const { main } = await import('../main.js')
        const captured = captureIo(input.cwd ?? process.cwd(), env)
        const exitCode = await main([...commandOf[kind], ...input.args, '--json', '--quiet'], captured.io)
        let output: unknown = captured.stdout()
        try {
          output = captured.json()
        } catch {
          // not JSON: keep the text
        }
        if (exitCode !== 0 && exitCode !== 1) {
          const error = (output as { error?: { code?: string; message?: string } } | undefined)?.error
          throw Object.assign(new Error(error?.message ?? `exit ${exitCode}`), { code: error?.code ?? 'BW_INTERNAL' })
        }
        return { exitCode, output }
      })
    }
  const setup = operationsSetup(env)
  const verifyPatch = verifyJob({ signingKey: context.signingKey, setup })
  const verifyCommand = commandJob('verify')
  return {
    validate: validateJob({ signingKey: context.signingKey, setup }),
    'release-plan': releasePlanJob({ signingKey: context.signingKey, setup }),
    'release-execute': releaseExecuteJob({ signingKey: context.signingKey, setup }),
    verify: (job) => ('patchId' in job.job.input ? verifyPatch(job) : verifyCommand(job)),
    'intel-scan': commandJob('intel-scan'),
    'monitor-backtest': commandJob('monitor-backtest'),
  }
}

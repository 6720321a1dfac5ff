import { z } from 'zod'
import { roles } from '../../lifecycle/types.js'

/** Who started a job, as the API authenticated them: the operation runs with their roles (embargo and permissions hold in the worker too). */
export const jobActorSchema = z.strictObject({ id: z.string().min(1).max(200), roles: z.array(z.enum(roles)).min(1) })
export type JobActor = z.infer<typeof jobActorSchema>

/** Reports each progress message of an operation as a job event, in order, without holding the operation up. */
export function progressReporter(progress: (data: Record<string, unknown>) => Promise<void>) {
  let reporting = Promise.resolve()
  return {
    say: (message: string) => {
      reporting = reporting.then(() => progress({ message })).catch(() => undefined)
    },
    flushed: () => reporting,
  }
}

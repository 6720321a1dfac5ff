/**
 * The kinds of work a worker takes from the queue. Each kind is a pg-boss queue of the same
 * name (prefixed), so `bulwark worker --queues validate` takes only validations.
 */
export const jobKinds = ['validate', 'release-plan', 'release-execute', 'verify', 'intel-scan', 'monitor-backtest'] as const
export type JobKind = (typeof jobKinds)[number]

export function isJobKind(value: string): value is JobKind {
  return (jobKinds as readonly string[]).includes(value)
}

/** The pg-boss queue of a kind. */
export function queueOf(kind: JobKind): string {
  return `bulwark-${kind}`
}

export type JobState = 'queued' | 'running' | 'completed' | 'failed'

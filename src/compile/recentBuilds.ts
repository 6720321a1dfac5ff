import type { BuildInfo } from './buildInfo.js'

/**
 * The last few build-infos read in this process, by a key that changes whenever the content can
 * (a content-addressed cache path; a file's path, size and modification time). Handing back the
 * same object lets per-build work keyed on it (upgrades-core's validation) be shared across runs
 * in one process (the server, a bench), not only across the stages of one run.
 */
export class RecentBuilds {
  private readonly entries = new Map<string, BuildInfo>()

  constructor(private readonly capacity = 16) {}

  get(key: string): BuildInfo | undefined {
    const found = this.entries.get(key)
    if (found) {
      // Most recently used last.
      this.entries.delete(key)
      this.entries.set(key, found)
    }
    return found
  }

  set(key: string, buildInfo: BuildInfo): void {
    this.entries.delete(key)
    this.entries.set(key, buildInfo)
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!)
  }
}

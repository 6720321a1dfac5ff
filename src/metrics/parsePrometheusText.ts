export type PrometheusSample = { name: string; labels: Record<string, string>; value: number }

/**
 * Test support: parses the Prometheus text exposition format (0.0.4) strictly: every line is a
 * comment, blank, or `name{labels} value`; anything else throws naming the line.
 */
export function parsePrometheusText(text: string): { samples: PrometheusSample[]; types: Map<string, string> } {
  const samples: PrometheusSample[] = []
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type) {
      types.set(type[1]!, type[2]!)
      continue
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|\+Inf|-Inf))(?: \d+)?$/.exec(line)
    if (!sample) throw new Error(`not Prometheus text format: ${JSON.stringify(line)}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]!.replace('+Inf', 'Infinity')) })
  }
  return { samples, types }
}

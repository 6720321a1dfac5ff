/** Number formats shared by the explanation and the CLI text, so both say the same thing. */

export function formatUsd(value: number): string {
  return `$${Math.round(value).toLocaleString('en-US')}`
}

export function formatPercent(probability: number): string {
  const percent = probability * 100
  if (percent === 0) return '0%'
  if (percent < 0.1) return `${percent.toPrecision(2)}%`
  if (percent > 99.9 && percent < 100) return `${percent.toFixed(2)}%`
  return `${percent.toFixed(1)}%`
}

export function formatHours(hours: number): string {
  if (!Number.isFinite(hours)) return 'never'
  if (hours < 1) return `${Math.round(hours * 60)} min`
  if (hours < 48) return `${hours < 10 ? hours.toFixed(1) : Math.round(hours)} h`
  return `${(hours / 24).toFixed(1)} days`
}

import { Status, useApi } from '../useApi.js'

// The inventory graph: GET /inventory leaves `inventory` open in its schema (it is src/chain's Inventory as JSON).
type InventoryNode = { address: string; kind: string }
type Inventory = { nodes: Record<string, InventoryNode>; edges: { from: string; to: string; relation: string }[]; findings: { kind?: string; id?: string; severity: string; address?: string; message?: string }[]; blockNumber: string }

export function InventoryView({ token }: { token: string }) {
  const load = useApi(token, 'GET /inventory', '/inventory')
  return (
    <section className="card" aria-labelledby="inv-title">
      <h2 id="inv-title">Chain of control</h2>
      <Status load={load}>
        {(data) => (!data.inventory ? <p>No devnet attached.</p> : <InventoryGraph inventory={data.inventory as Inventory} labels={data.labels} />)}
      </Status>
    </section>
  )
}

const kindOrder = ['uups', 'transparent', 'beacon-proxy', 'beacon', 'proxy-admin', 'contract', 'timelock', 'safe', 'eoa']

function InventoryGraph({ inventory, labels }: { inventory: Inventory; labels: Record<string, string> }) {
  const risky = new Set(inventory.findings.map((f) => f.address).filter(Boolean))
  const columns = new Map<number, string[]>()
  for (const node of Object.values(inventory.nodes)) {
    const column = Math.max(0, kindOrder.indexOf(node.kind))
    columns.set(column, [...(columns.get(column) ?? []), node.address])
  }
  const used = [...columns.keys()].sort((a, b) => a - b)
  const position = new Map<string, { x: number; y: number }>()
  used.forEach((column, ci) => (columns.get(column) ?? []).forEach((address, ri) => position.set(address, { x: 10 + ci * 150, y: 20 + ri * 46 })))
  const height = Math.max(...used.map((c) => (columns.get(c) ?? []).length)) * 46 + 30
  const width = used.length * 150 + 20
  const name = (address: string) => labels[address] ?? `${address.slice(0, 8)}…`
  return (
    <>
      <svg role="img" aria-label={`Control graph: ${Object.keys(inventory.nodes).length} accounts, ${inventory.findings.length} findings`} viewBox={`0 0 ${width} ${height}`} width="100%" style={{ minWidth: 600 }}>
        {inventory.edges.map((edge, i) => {
          const a = position.get(edge.from)
          const b = position.get(edge.to)
          return a && b ? <line key={i} x1={a.x + 130} y1={a.y + 15} x2={b.x} y2={b.y + 15} stroke="#9aa5b1" /> : null
        })}
        {Object.values(inventory.nodes).map((node) => {
          const p = position.get(node.address)!
          return (
            <g key={node.address}>
              <title>{`${node.address} (${node.kind})`}</title>
              <rect x={p.x} y={p.y} width={130} height={30} rx={4} fill={risky.has(node.address) ? '#fde2e2' : '#eef2f7'} stroke={risky.has(node.address) ? '#d62828' : '#14213d'} />
              <text x={p.x + 6} y={p.y + 13}>{name(node.address).slice(0, 20)}</text>
              <text x={p.x + 6} y={p.y + 25} fill="#555">{node.kind}{risky.has(node.address) ? ' ⚠' : ''}</text>
            </g>
          )
        })}
      </svg>
      <h3>Risky configurations</h3>
      {inventory.findings.length === 0 ? <p>None.</p> : (
        <ul>{inventory.findings.map((f, i) => <li key={i}><span className={`badge ${f.severity}`}>{f.severity}</span> {f.kind ?? f.id} {f.address ? name(f.address) : ''} — {f.message}</li>)}</ul>
      )}
      <p>Read at block {inventory.blockNumber}.</p>
    </>
  )
}

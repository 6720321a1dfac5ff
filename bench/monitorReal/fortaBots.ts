/**
 * The peer a team would run instead of Bulwark: Forta bot SDK (`@fortanetwork/forta-bot` 0.2.3)
 * handlers, self-hosted, written for the same signals as Bulwark's detectors on the real market
 * (Aave V3 + Uniswap V2 + Balancer V2): a spot-price move of the pair and of the market's oracle,
 * a large net outflow from a protocol contract (per contract and per sender), a flash loan whose
 * transaction also calls the protocol, a mint far above the minter's usual size, re-entry of a
 * protocol contract in the call traces. The SDK's own block pipeline (`runHandlersOnBlock`: block,
 * logs and `trace_block`, TransactionEvent) feeds them; only the submission to Forta's network is
 * left out (there is none offline).
 */
import { Finding, FindingSeverity, FindingType, ethers, type BlockEvent, type TransactionEvent } from '@fortanetwork/forta-bot'
import type { MarketAddresses } from '../../test/attacks/realMarket.js'

const transferEvent = 'event Transfer(address indexed from, address indexed to, uint256 value)'
const syncEvent = 'event Sync(uint112 reserve0, uint112 reserve1)'
const aaveFlashLoanEvent = 'event FlashLoan(address indexed target, address initiator, address indexed asset, uint256 amount, uint8 interestRateMode, uint256 premium, uint16 indexed referralCode)'
const balancerFlashLoanEvent = 'event FlashLoan(address indexed recipient, address indexed token, uint256 amount, uint256 feeAmount)'
const erc20 = new ethers.Interface(['function balanceOf(address) view returns (uint256)', 'function totalSupply() view returns (uint256)'])
const oracleInterface = new ethers.Interface(['function getAssetPrice(address) view returns (uint256)'])

export type FortaBots = {
  handleTransaction(txEvent: TransactionEvent, provider: ethers.JsonRpcProvider): Promise<Finding[]>
  handleBlock(blockEvent: BlockEvent, provider: ethers.JsonRpcProvider): Promise<Finding[]>
}

const finding = (alertId: string, severity: FindingSeverity, description: string, metadata: Record<string, string>, addresses: string[]) =>
  Finding.fromObject({ name: alertId, description, alertId, severity, type: FindingType.Suspicious, metadata, addresses })

/** The bots, with their thresholds as Bulwark's defaults: 10% price move per block, 20% of a balance out within 50 blocks (per sender: 1,000 blocks), 10× a minter's usual mint. */
export function createFortaBots(m: MarketAddresses): FortaBots {
  const lower = (address: string) => address.toLowerCase()
  const holders = new Set([m.usdx.aToken, m.wvol.aToken, m.pair, m.vault].map(lower))
  const tokens = new Set([m.usdx.asset, m.wvol.asset].map(lower))
  const protocol = new Set([m.pool, m.pair, m.vault, m.usdx.aToken, m.wvol.aToken, m.poolConfigurator, m.oracle].map(lower))
  const lenders = new Set([m.pool, m.vault].map(lower))
  const pairOpen = new Map<number, number>()
  let lastPairPrice: number | undefined
  let lastOraclePrice: bigint | undefined
  type Window = { entries: { block: number; net: bigint }[]; alertedAt: number }
  const windows = new Map<string, Window>()
  const mintSizes = new Map<string, bigint[]>()

  async function balanceBefore(provider: ethers.JsonRpcProvider, token: string, holder: string, block: number): Promise<bigint> {
    const data = await provider.call({ to: token, data: erc20.encodeFunctionData('balanceOf', [holder]), blockTag: block - 1 })
    return BigInt(data)
  }

  return {
    async handleTransaction(txEvent, provider) {
      const findings: Finding[] = []
      const block = txEvent.blockNumber
      // price of the pair: the reserves after each Sync against the price before the block
      for (const sync of txEvent.filterLog(syncEvent, m.pair)) {
        const price = Number(sync.args[1]) / Math.max(1, Number(sync.args[0]))
        const open = pairOpen.get(block) ?? lastPairPrice ?? price
        if (!pairOpen.has(block)) {
          pairOpen.clear()
          pairOpen.set(block, open)
        }
        lastPairPrice = price
        if (Math.abs(price - open) / open >= 0.1) findings.push(finding('PRICE-DEVIATION', FindingSeverity.High, `pair price moved ${(((price - open) / open) * 100).toFixed(1)}% in block ${block}`, {}, [m.pair]))
      }
      // net outflow per holder and token, and per holder, token and sender
      const net = new Map<string, { token: string; holder: string; amount: bigint }>()
      for (const transfer of txEvent.filterLog(transferEvent, [...tokens])) {
        const token = lower(transfer.address)
        const [from, to, value] = [lower(transfer.args[0] as string), lower(transfer.args[1] as string), transfer.args[2] as bigint]
        for (const [holder, sign] of [[from, 1n], [to, -1n]] as const) {
          if (!holders.has(holder)) continue
          const key = `${token}:${holder}`
          const entry = net.get(key) ?? { token, holder, amount: 0n }
          entry.amount += sign * value
          net.set(key, entry)
        }
        if (from === ethers.ZeroAddress) {
          // a mint: judged against the minter's usual mint sizes (10× the 90th percentile of at least 3)
          const key = `${token}:${lower(txEvent.from)}`
          const sizes = mintSizes.get(key) ?? []
          const sorted = [...sizes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          const usual = sorted.length >= 3 ? sorted[Math.floor(sorted.length * 0.9)]! * 10n : undefined
          if (usual !== undefined && value > usual) findings.push(finding('LARGE-MINT', FindingSeverity.High, `mint of ${value} by ${txEvent.from}, above ${usual}`, {}, [token, txEvent.from]))
          else mintSizes.set(key, [...sizes.slice(-200), value])
        }
      }
      for (const { token, holder, amount } of net.values()) {
        for (const [key, span] of [[`${token}:${holder}`, 50], [`${token}:${holder}:${lower(txEvent.from)}`, 1000]] as const) {
          const window = windows.get(key) ?? { entries: [], alertedAt: -1 }
          windows.set(key, window)
          window.entries = window.entries.filter((e) => e.block > block - span)
          window.entries.push({ block, net: amount })
          const total = window.entries.reduce((sum, e) => sum + e.net, 0n)
          if (amount <= 0n || total <= 0n || window.alertedAt > block - span) continue
          const balance = await balanceBefore(provider, token, holder, window.entries[0]!.block)
          if (balance > 0n && total * 5n >= balance) {
            window.alertedAt = block
            findings.push(finding('LARGE-OUTFLOW', FindingSeverity.High, `${total} of ${token} left ${holder} within ${span} blocks`, {}, [holder, txEvent.from]))
          }
        }
      }
      // a flash loan whose transaction also calls the protocol besides the lender
      const loans = [...txEvent.filterLog(aaveFlashLoanEvent, m.pool), ...txEvent.filterLog(balancerFlashLoanEvent, m.vault)]
      if (loans.length > 0) {
        const lendersUsed = new Set(loans.map((loan) => lower(loan.address)))
        const touched = txEvent.traces.some((trace) => trace.action.to && protocol.has(lower(trace.action.to)) && !lendersUsed.has(lower(trace.action.to)) && !lenders.has(lower(trace.action.from)))
        if (touched) findings.push(finding('FLASH-LOAN', FindingSeverity.Medium, `flash loan used on the protocol in ${txEvent.hash}`, {}, [...lendersUsed]))
      }
      // re-entry: a protocol contract called again below a call that left the protocol
      const byAddress = new Map(txEvent.traces.map((trace) => [trace.traceAddress.join('.'), trace]))
      for (const trace of txEvent.traces) {
        const to = trace.action.to ? lower(trace.action.to) : undefined
        if (!to || !protocol.has(to) || trace.action.callType === 'staticcall' || trace.action.callType === 'delegatecall') continue
        let outside = false
        let reentered = false
        for (let depth = trace.traceAddress.length - 1; depth >= 0 && !reentered; depth--) {
          const parent = byAddress.get(trace.traceAddress.slice(0, depth).join('.'))
          const context = parent?.action.to ? lower(parent.action.to) : undefined
          if (context === to && outside) reentered = true
          else if (context && !protocol.has(context) && !tokens.has(context)) outside = true
        }
        if (reentered) {
          findings.push(finding('REENTRANCY', FindingSeverity.Critical, `${to} re-entered in ${txEvent.hash}`, {}, [to]))
          break
        }
      }
      return findings
    },
    async handleBlock(blockEvent, provider) {
      const data = await provider.call({ to: m.oracle, data: oracleInterface.encodeFunctionData('getAssetPrice', [m.wvol.asset]), blockTag: blockEvent.blockNumber })
      const price = BigInt(data)
      const previous = lastOraclePrice
      lastOraclePrice = price
      if (previous && previous > 0n && ((price > previous ? price - previous : previous - price) * 10n) >= previous) {
        return [finding('ORACLE-PRICE', FindingSeverity.High, `oracle WVOL price moved from ${previous} to ${price} in block ${blockEvent.blockNumber}`, {}, [m.oracle])]
      }
      return []
    },
  }
}

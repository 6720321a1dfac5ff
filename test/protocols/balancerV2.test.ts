import { encodeFunctionData, parseAbi, parseUnits, type Address } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDevClient, createReadClient } from '../../src/chain/clients.js'
import { devAccount } from '../../src/chain/devAccounts.js'
import { startAnvil, type Anvil } from '../../src/chain/startAnvil.js'
import { balancerVaultAbi, deployBalancerV2, seedBalancerV2, userBalanceOpKind, type BalancerV2Kit } from './balancerV2.js'
import { compileBalancerV2, compileGovernance, compileKitContracts } from './compileProtocols.js'
import { executeViaGovernance, kitAccountIndices } from './kitGovernance.js'
import { erc20Abi } from './uniswapV2.js'

let anvil: Anvil
let kit: BalancerV2Kit

beforeAll(async () => {
  const [balancerV2, kitContracts, governance] = [await compileBalancerV2(), await compileKitContracts(), await compileGovernance()]
  anvil = await startAnvil()
  kit = await deployBalancerV2(anvil, { builds: { balancerV2, kitContracts, governance } })
  await seedBalancerV2(anvil, kit)
})
afterAll(async () => {
  await anvil?.stop()
})

describe('Balancer V2 kit (@balancer-labs/v2-vault 3.0.1, solc 0.7.1)', () => {
  const actor = devAccount(kitAccountIndices.actors[0]!)
  const balanceOf = (token: Address, account: Address) => createReadClient({ rpcUrl: anvil.rpcUrl }).readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [account] })

  it('holds the seeded internal balances and lends them in a flash loan', async () => {
    const token = kit.tokens[0]!
    expect(await balanceOf(token, kit.vault)).toBe(4n * parseUnits('100000', 18))
    const user = createDevClient({ ...anvil, account: actor })
    // The flash-loan user borrows through the vault and repays in the same transaction (the fee is zero by default).
    const { flashLoanUser } = kit
    const hash = await user.writeContract({ address: flashLoanUser, abi: parseAbi(['function borrowFromBalancer(address vault, address token, uint256 amount)']), functionName: 'borrowFromBalancer', args: [kit.vault, token, parseUnits('250000', 18)] })
    expect((await user.waitForTransactionReceipt({ hash })).status).toBe('success')
    expect(await balanceOf(token, kit.vault)).toBe(4n * parseUnits('100000', 18))
  })

  it("only the guardian's authorized setPaused pauses the vault, and governance lifts it through the Safe and the timelock", async () => {
    const stranger = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.attacker) })
    await expect(stranger.simulateContract({ address: kit.vault, abi: balancerVaultAbi, functionName: 'setPaused', args: [true] })).rejects.toThrow(/BAL#401/)

    const guardian = createDevClient({ ...anvil, account: devAccount(kitAccountIndices.guardian) })
    const hash = await guardian.writeContract({ address: kit.vault, abi: balancerVaultAbi, functionName: 'setPaused', args: [true] })
    expect((await guardian.waitForTransactionReceipt({ hash })).status).toBe('success')
    const [paused] = await guardian.readContract({ address: kit.vault, abi: balancerVaultAbi, functionName: 'getPausedState' })
    expect(paused).toBe(true)

    const user = createDevClient({ ...anvil, account: actor })
    const deposit = [{ kind: userBalanceOpKind.depositInternal, asset: kit.tokens[0]!, amount: 1n, sender: actor.address, recipient: actor.address }]
    await expect(user.simulateContract({ address: kit.vault, abi: balancerVaultAbi, functionName: 'manageUserBalance', args: [deposit] })).rejects.toThrow(/BAL#402/)

    await executeViaGovernance(anvil, kit.governance, [{ target: kit.vault, data: encodeFunctionData({ abi: balancerVaultAbi, functionName: 'setPaused', args: [false] }) }])
    const unpaused = await user.writeContract({ address: kit.vault, abi: balancerVaultAbi, functionName: 'manageUserBalance', args: [deposit] })
    expect((await user.waitForTransactionReceipt({ hash: unpaused })).status).toBe('success')
  })
})

import { mnemonicToAccount, type HDAccount } from 'viem/accounts'

/** anvil's well-known default mnemonic: its accounts are funded on every local devnet. */
export const anvilMnemonic = 'test test test test test test test test test test test junk'

/** The roles the demo protocol and tests give to anvil's default accounts, by index. */
export const devRoles = {
  deployer: 0,
  safeOwners: [1, 2, 3],
  guardian: 4,
  depositors: [5, 6, 7, 8],
  attacker: 9,
} as const

/** The local (in-process signing) account for anvil's default account `index`. Devnet only. */
export function devAccount(index: number): HDAccount {
  return mnemonicToAccount(anvilMnemonic, { addressIndex: index })
}

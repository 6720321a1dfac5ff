import type { Address } from 'viem'

/** The canonical Safe 1.4.1 MultiSend and MultiSendCallOnly deployments (safe-deployments), the same on every chain. */
export const canonicalMultiSend: readonly Address[] = ['0x38869bf66a61cF6bDB996A6aE40D5853Fd43B526', '0x9641d764fc13c8B624c04430C7356C1C7C8102e2']

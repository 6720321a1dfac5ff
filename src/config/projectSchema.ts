import { isAddress } from 'viem'
import { z } from 'zod'

const address = z
  .string()
  .refine((value) => isAddress(value, { strict: true }), {
    message: 'must be 0x followed by 40 hex digits (mixed case must match the EIP-55 checksum)',
  })

/**
 * An RPC URL, or `env:NAME` to read it from the environment at run time so that keys in
 * provider URLs never sit in the project file.
 */
const rpcUrl = z.string().refine((value) => /^env:[A-Z_][A-Z0-9_]*$/.test(value) || /^https?:\/\/[^\s]+$/.test(value), {
  message: 'must be an http(s):// URL, or env:VARIABLE_NAME',
})

const name = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'must start with a letter and use only letters, digits, _ . - (max 64)')

export const chainSchema = z.strictObject({
  chainId: z.number().int().positive(),
  rpcUrl,
})

export const contractSchema = z.strictObject({
  name,
  chain: name,
  address,
  /** What the contract is expected to be; inventory reports a mismatch with what the chain says. */
  proxy: z.enum(['uups', 'transparent', 'beacon-proxy', 'beacon', 'none']).default('none'),
  /** `path/File.sol:Contract` of the current implementation's source, relative to the project. */
  source: z.string().min(1).optional(),
  /** A Bulwark, Foundry or Hardhat build-info file for the current implementation. */
  buildInfo: z.string().min(1).optional(),
})

export const authoritySchema = z.strictObject({
  name,
  chain: name,
  kind: z.enum(['safe', 'timelock', 'guardian', 'pauser', 'security-council', 'proxy-admin', 'eoa']),
  address,
})

/**
 * Release governance (issue 6), optional: the routes a patch may take and the contracts every route
 * goes through. `bulwark release plan` reads it; `bulwark init` writes it for the devnet.
 */
export const releaseSchema = z.strictObject({
  /** The chain of the release contracts (default: the project's first chain). */
  chain: name.optional(),
  /** The ReleaseGate every route releases through. */
  releaseGate: address,
  /** `contracts/release/Create2Deployer.sol` on that chain (standard and emergency routes). */
  create2Deployer: address.optional(),
  routes: z.strictObject({
    /** Governance Safe → TimelockController (public delay). */
    standard: z.strictObject({ safe: address, timelock: address }).optional(),
    /** Security-council Safe (higher threshold) holding the gate's RELEASER_ROLE, no delay; `multiSendCallOnly` defaults to the canonical Safe 1.4.1 one. */
    emergency: z.strictObject({ safe: address, multiSendCallOnly: address.optional() }).optional(),
    /** Governance Safe → PrivateTimelock (commit-reveal; implementations deployed inside the execute). */
    private: z.strictObject({ safe: address, timelock: address }).optional(),
  }),
})

export const projectSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1),
    name,
    chains: z.record(name, chainSchema).refine((chains) => Object.keys(chains).length > 0, { message: 'must name at least one chain' }),
    contracts: z.array(contractSchema).default([]),
    authorities: z.array(authoritySchema).default([]),
    release: releaseSchema.optional(),
  })
  .superRefine((project, context) => {
    const chainNames = new Set(Object.keys(project.chains))
    const seen = new Set<string>()
    for (const [listName, list] of [['contracts', project.contracts], ['authorities', project.authorities]] as const) {
      list.forEach((entry, index) => {
        if (!chainNames.has(entry.chain)) {
          context.addIssue({
            code: 'custom',
            path: [listName, index, 'chain'],
            message: `names no chain in "chains" (known: ${[...chainNames].join(', ')})`,
          })
        }
        if (seen.has(entry.name)) context.addIssue({ code: 'custom', path: [listName, index, 'name'], message: `"${entry.name}" is used twice` })
        seen.add(entry.name)
      })
    }
    if (project.release?.chain !== undefined && !chainNames.has(project.release.chain)) {
      context.addIssue({ code: 'custom', path: ['release', 'chain'], message: `names no chain in "chains" (known: ${[...chainNames].join(', ')})` })
    }
  })

export type Project = z.infer<typeof projectSchema>
export type ProjectChain = z.infer<typeof chainSchema>
export type ProjectContract = z.infer<typeof contractSchema>
export type ProjectAuthority = z.infer<typeof authoritySchema>
export type ProjectRelease = z.infer<typeof releaseSchema>

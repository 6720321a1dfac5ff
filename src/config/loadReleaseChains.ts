import { isAddress } from 'viem'
import { z } from 'zod'
import { ProjectInvalidError } from './errors.js'
import { parseProjectJson, readProjectText } from './loadProject.js'
import { releaseSchema } from './projectSchema.js'

const address = z.string().refine((value) => isAddress(value, { strict: true }), { message: 'must be 0x followed by 40 hex digits (mixed case must match the EIP-55 checksum)' })
const signature = z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*\(.*\)( view)?( returns \(bool\))?$/, 'must be a Solidity function signature such as pause() or paused() view returns (bool)')

/**
 * The chains file of a multi-chain release (`bulwark multichain … --chains FILE`): per chain, its
 * id, RPC (`env:VAR` keeps provider keys out of the file), the release section of the project
 * file (gate, Create2Deployer, routes), an optional route, and how the protocol is paused there.
 */
export const releaseChainsSchema = z.strictObject({
  chains: z
    .array(
      z.strictObject({
        chainId: z.number().int().positive(),
        rpcUrl: z.string().refine((value) => /^env:[A-Z_][A-Z0-9_]*$/.test(value) || /^https?:\/\/[^\s]+$/.test(value), { message: 'must be an http(s):// URL, or env:VARIABLE_NAME' }),
        release: releaseSchema.optional(),
        route: z.enum(['standard', 'emergency', 'private']).optional(),
        pause: z.strictObject({ target: address, pause: signature.optional(), unpause: signature.optional(), paused: signature.optional() }).optional(),
      }),
    )
    .min(1)
    .superRefine((chains, context) => {
      chains.forEach((chain, index) => {
        if (chains.findIndex((other) => other.chainId === chain.chainId) !== index) context.addIssue({ code: 'custom', path: [index, 'chainId'], message: `chain ${chain.chainId} is listed twice` })
      })
    }),
})

export type ReleaseChainsFile = z.infer<typeof releaseChainsSchema>

/**
 * Reads a chains file; `env:VAR` RPC URLs are resolved from `env`. Every problem is a
 * BW_PROJECT_INVALID naming its field path.
 */
export async function loadReleaseChains(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ReleaseChainsFile['chains']> {
  const { chains } = parseProjectJson(await readProjectText(file), file, releaseChainsSchema)
  return chains.map((chain, index) => {
    if (!chain.rpcUrl.startsWith('env:')) return chain
    const value = env[chain.rpcUrl.slice(4)]
    if (!value) throw new ProjectInvalidError({ file, issues: [{ path: `chains[${index}].rpcUrl`, message: `environment variable ${chain.rpcUrl.slice(4)} is not set` }] })
    return { ...chain, rpcUrl: value }
  })
}

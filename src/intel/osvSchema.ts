import { z } from 'zod'

/**
 * The parts of the OSV schema (https://ossf.github.io/osv-schema/) Bulwark relies on. Unknown
 * fields are allowed (OSV grows), fields Bulwark reads are checked.
 */
const rangeEvent = z
  .object({
    introduced: z.string().min(1).optional(),
    fixed: z.string().min(1).optional(),
    last_affected: z.string().min(1).optional(),
    limit: z.string().min(1).optional(),
  })
  .refine((event) => [event.introduced, event.fixed, event.last_affected, event.limit].filter((v) => v !== undefined).length === 1, {
    message: 'each event has exactly one of introduced, fixed, last_affected, limit',
  })

const range = z.object({
  type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
  events: z.array(rangeEvent).min(1),
})

const hex = (bytes?: number) =>
  z.string().regex(bytes === undefined ? /^0x(?:[0-9a-fA-F]{2})+$/ : new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), bytes === undefined ? 'must be 0x-prefixed hex bytes' : `must be 0x and ${bytes * 2} hex digits`)

/**
 * Optional component knowledge an OSV entry may carry under `database_specific.bulwark`: which
 * files and functions of the package hold the bug, and a bytecode signature.
 */
export const componentsSchema = z.strictObject({
  files: z.array(z.string().min(1)).default([]),
  functions: z.array(z.string().min(1)).default([]),
  selectors: z.array(hex(4)).default([]),
  bytecode: z
    .strictObject({
      selectors: z.array(hex(4)).default([]),
      fragments: z.array(hex()).default([]),
      absentFragments: z.array(hex()).default([]),
      note: z.string().optional(),
    })
    .optional(),
})

export const osvEntrySchema = z.object({
  schema_version: z.string().optional(),
  id: z.string().min(1),
  modified: z.string().min(1),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(z.object({ type: z.string(), score: z.string() })).optional(),
  affected: z
    .array(
      z.object({
        package: z.object({ ecosystem: z.string().min(1), name: z.string().min(1), purl: z.string().optional() }),
        ranges: z.array(range).optional(),
        versions: z.array(z.string()).optional(),
      }),
    )
    .min(1, 'an advisory Bulwark can match names at least one affected package'),
  references: z.array(z.object({ type: z.string(), url: z.string() })).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
})

export const teamSeverities = ['low', 'medium', 'high', 'critical'] as const

function isRegex(source: string): boolean {
  try {
    new RegExp(source, 'm')
    return true
  } catch {
    return false
  }
}

/**
 * A team-written advisory: "who else has this bug". Every criterion given must hold for a match.
 * See docs/intel.md for the format.
 */
export const teamPatternSchema = z.strictObject({
  kind: z.literal('bulwark-pattern'),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be letters, digits, . _ : - (max 128)'),
  summary: z.string().min(1),
  details: z.string().optional(),
  severity: z.enum(teamSeverities),
  references: z.array(z.string()).default([]),
  match: z
    .strictObject({
      /** Function selectors the deployed code's dispatcher must contain (all of them). */
      selectors: z.array(hex(4)).default([]),
      /** A JavaScript regular expression searched (multi-line) in the contract's own sources and its bases. */
      sourcePattern: z.string().min(1).refine(isRegex, 'is not a valid regular expression').optional(),
      /** Byte strings the deployed code must contain (all of them). */
      bytecodeFragments: z.array(hex()).default([]),
      /** Byte strings the deployed code must not contain (a fix marker). */
      absentBytecodeFragments: z.array(hex()).default([]),
    })
    .refine((m) => m.selectors.length > 0 || m.sourcePattern !== undefined || m.bytecodeFragments.length > 0, {
      message: 'give at least one of selectors, sourcePattern, bytecodeFragments',
    }),
})

export type OsvEntry = z.infer<typeof osvEntrySchema>
export type TeamPattern = z.infer<typeof teamPatternSchema>
export type AdvisoryComponents = z.infer<typeof componentsSchema>

import { getAddress, isHex, size, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getSignerView } from '../../authorize/getSignerView.js'
import { listPendingSafeTransactions } from '../../authorize/listPendingSafeTransactions.js'
import { renderSignerView } from '../../authorize/renderSignerView.js'
import { signSafeTransaction } from '../../chain/execSafeTransaction.js'
import { connectChain } from '../../chain/connectChain.js'
import { parseAddress } from '../../chain/parseAddress.js'
import { openLifecycle } from '../../lifecycle/context.js'
import { localRoles } from '../../lifecycle/lifecycleApi.js'
import { confirmRelease } from '../../operations/confirmRelease.js'
import { releaseReportHash } from '../../operations/releaseReportHash.js'
import type { Command } from '../command.js'
import { UsageError } from '../errors.js'
import { progress } from '../io.js'
import { subcommand } from './advisory.js'

const subcommands = { view: 1, confirm: 1, pending: 0 } as const

export const signCommand: Command = {
  name: 'sign',
  summary: 'Review and sign Safe transactions: the signer view (hashes, decoded upgrades, DELEGATECALL alerts, report), confirm, pending.',
  usage: [
    'bulwark sign view <safeTxHash> --rpc URL [--multisend ADDRESS …]',
    '       bulwark sign confirm <safeTxHash> --rpc URL (--key env:VAR | --signature 0x…)',
    '       bulwark sign pending --rpc URL --safe ADDRESS',
  ].join('\n'),
  positionals: true,
  options: {
    rpc: { type: 'string', valueName: 'url', description: 'RPC endpoint of the Safe\'s chain (owners, threshold and nonce are read live).' },
    safe: { type: 'string', valueName: 'address', description: 'pending: the Safe whose proposals to list.' },
    key: { type: 'string', valueName: 'env:VAR', description: 'confirm: sign with the owner private key held in environment variable VAR (never on the command line).' },
    signature: { type: 'string', valueName: '0x…', description: 'confirm: a 65-byte signature made elsewhere (hardware wallet: EIP-712 v 27/28, eth_sign v 31/32, or v 1 after approveHash).' },
    multisend: { type: 'string', multiple: true, valueName: 'address', description: 'view: a MultiSend deployment the Safe may DELEGATECALL, besides the canonical 1.4.1 ones.' },
    as: { type: 'string', valueName: 'name', description: 'Act as this local operator (default: $USER).' },
  },
  async run({ values, positionals }, io) {
    const { name, args } = subcommand(signCommand, positionals, subcommands)
    const report = progress(io, Boolean(values.quiet) || Boolean(values.json))
    const rpcUrl = values.rpc as string | undefined
    if (rpcUrl === undefined || !/^https?:\/\/\S+$/.test(rpcUrl)) throw new UsageError({ message: 'bulwark sign needs --rpc http(s)://URL of the Safe\'s chain.', usage: signCommand.usage })
    const hash = args[0]
    if (hash !== undefined && !(isHex(hash, { strict: true }) && size(hash) === 32)) throw new UsageError({ message: `safeTxHash must be 32 bytes in hex; got "${hash}".` })
    const { client } = await connectChain({ rpcUrl })
    const context = await openLifecycle({ cwd: io.cwd, env: io.env })
    const actor = { id: (values.as as string | undefined) ?? io.env.USER ?? io.env.USERNAME ?? 'local', roles: localRoles }
    // A multi-chain patch's transactions are bound to their chain's report (PATCH-3@10), a patch's to its own.
    const currentReportHash = releaseReportHash(context)
    try {
      switch (name) {
        case 'view': {
          const multiSend = ((values.multisend as string[] | undefined) ?? []).map((value, index) => parseAddress(value, `--multisend #${index + 1}`))
          const view = await getSignerView(client, context.store, { safeTxHash: hash as Hex, currentReportHash, multiSend })
          io.stdout(values.json ? JSON.stringify({ ok: true, view }, null, 2) : renderSignerView(view))
          return view.alerts.some((alert) => alert.severity === 'critical') || !view.reportHashCurrent ? 1 : 0
        }
        case 'confirm': {
          let signature = values.signature as string | undefined
          const key = values.key as string | undefined
          if ((signature === undefined) === (key === undefined)) throw new UsageError({ message: 'sign confirm takes exactly one of --key env:VAR and --signature 0x….', usage: signCommand.usage })
          if (key !== undefined) {
            const variable = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(key)?.[1]
            const secret = variable === undefined ? undefined : io.env[variable]
            if (variable === undefined || secret === undefined || !/^0x[0-9a-fA-F]{64}$/.test(secret)) {
              throw new UsageError({ message: '--key must be env:VAR naming an environment variable that holds a 32-byte hex private key.' })
            }
            // The view is what the key signs: the transaction as stored, whose hash is re-derived before signing.
            const view = await getSignerView(client, context.store, { safeTxHash: hash as Hex, currentReportHash })
            const t = view.transaction
            report(`signing ${view.hashes.safeTxHash} (domain ${view.hashes.domainHash}, message ${view.hashes.messageHash})`)
            signature = (
              await signSafeTransaction(privateKeyToAccount(secret as Hex), {
                safe: view.safe,
                chainId: view.chainId,
                transaction: { ...t, to: t.to, value: BigInt(t.value), safeTxGas: BigInt(t.safeTxGas), baseGas: BigInt(t.baseGas), gasPrice: BigInt(t.gasPrice), nonce: BigInt(t.nonce) },
              })
            ).signature
          }
          const result = await confirmRelease(context, { client, safeTxHash: hash as Hex, signature: signature as Hex, actor })
          if (values.json) io.stdout(JSON.stringify({ ok: true, ...result }, null, 2))
          else io.stdout(`${result.owner} confirmed ${hash} (${result.kind}); ${result.confirmations}/${result.threshold} confirmation(s)${result.patch ? `; patch ${result.patch.id} is ${result.patch.status}` : ''}`)
          return 0
        }
        case 'pending': {
          if (values.safe === undefined) throw new UsageError({ message: 'sign pending needs --safe ADDRESS.', usage: signCommand.usage })
          const safe: Address = getAddress(parseAddress(values.safe as string, '--safe'))
          const pending = await listPendingSafeTransactions(client, context.store, { safe, currentReportHash })
          if (values.json) io.stdout(JSON.stringify({ ok: true, ...pending }, null, 2))
          else {
            io.stdout(`Safe ${pending.safe} on chain ${pending.chainId}: nonce ${pending.nonce}, threshold ${pending.threshold}`)
            if (pending.transactions.length === 0) io.stdout('No pending transactions.')
            for (const t of pending.transactions) {
              io.stdout(`  ${t.safeTxHash} nonce ${t.nonce} ${t.patchId} ${t.confirmations}/${t.threshold}${t.operation === 1 ? ' DELEGATECALL' : ''}${t.reportHashCurrent ? '' : ' STALE REPORT'}`)
            }
          }
          return 0
        }
      }
    } finally {
      await context.store.close()
    }
  },
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IDemoTokenRecipient} from "./interfaces/IDemoTokenRecipient.sol";

/**
 * @title DemoToken
 * @notice The demo protocol's ERC-20 asset: a fixed supply minted once, plus an ERC-777-style receive
 * hook that recipients opt into.
 * @dev Not upgradeable on purpose: assets are usually third-party tokens the protocol cannot change.
 * The hook reproduces the property of ERC-777 tokens (imBTC, AMP) that turned missing
 * checks-effects-interactions in lending pools into the Lendf.me (April 2020, ~$25M) and
 * Cream Finance (August 2021, ~$18M) reentrancy exploits. Registration is per recipient, like an
 * ERC-1820 `ERC777TokensRecipient` implementer entry.
 */
contract DemoToken is ERC20 {
    mapping(address recipient => bool) private _receiveHookRegistered;

    /**
     * @notice Emitted when `recipient` turned its receive hook on or off.
     * @param recipient The account whose hook registration changed.
     * @param registered Whether transfers to `recipient` now call its hook.
     */
    event ReceiveHookRegistrationChanged(address indexed recipient, bool registered);

    /**
     * @notice Mints the whole supply to `initialHolder`.
     * @param name_ The token name.
     * @param symbol_ The token symbol.
     * @param initialHolder Receives `initialSupply`.
     * @param initialSupply The fixed total supply, in the smallest unit (18 decimals).
     */
    constructor(string memory name_, string memory symbol_, address initialHolder, uint256 initialSupply)
        ERC20(name_, symbol_)
    {
        _mint(initialHolder, initialSupply);
    }

    /**
     * @notice Turns the caller's receive hook on or off; while on, every credit to the caller calls
     * {IDemoTokenRecipient-onTokenReceived} on it.
     * @param registered Whether to call the hook.
     */
    function setReceiveHook(bool registered) external virtual {
        _receiveHookRegistered[msg.sender] = registered;
        emit ReceiveHookRegistrationChanged(msg.sender, registered);
    }

    /**
     * @notice Whether credits to `recipient` call its receive hook.
     * @param recipient The account to look up.
     * @return registered True when the hook is on.
     */
    function isReceiveHookRegistered(address recipient) external view virtual returns (bool registered) {
        return _receiveHookRegistered[recipient];
    }

    /**
     * @dev Calls the recipient's hook after the balances moved, as ERC-777 does: the recipient runs
     * code while the sender is still in the middle of its own function.
     */
    function _update(address from, address to, uint256 value) internal virtual override {
        super._update(from, to, value);
        if (to != address(0) && _receiveHookRegistered[to]) {
            IDemoTokenRecipient(to).onTokenReceived(msg.sender, from, value);
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IDemoTokenRecipient
 * @notice Receive hook of {DemoToken}, modelled on ERC-777's `tokensReceived`: a contract that opted
 * in is called after every transfer or mint that credits it.
 * @dev The hook is what makes a lending pool that transfers before it updates its books reentrant
 * (imBTC on Lendf.me, AMP on Cream Finance).
 */
interface IDemoTokenRecipient {
    /**
     * @notice Called by the token after `amount` was credited to this contract.
     * @param operator The account that called the token (`msg.sender` of the transfer).
     * @param from The account debited (zero for a mint).
     * @param amount The amount credited.
     */
    function onTokenReceived(address operator, address from, uint256 amount) external;
}

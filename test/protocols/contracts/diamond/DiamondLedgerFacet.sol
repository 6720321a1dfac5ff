// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @title DiamondLedgerFacet
/// @notice A faulty facet for Bulwark's tests: it declares the vault's ERC-7201 namespace with its
///         members in another order, so it reads the vault's balances mapping slot as a total.
contract DiamondLedgerFacet {
    /// @custom:storage-location erc7201:bulwark.kit.vault
    struct LedgerStorage {
        uint256 _total;
        mapping(address => uint256) _entries;
    }

    // keccak256(abi.encode(uint256(keccak256("bulwark.kit.vault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _LEDGER_STORAGE_LOCATION = 0xb9304a3c53cd53e79e2a1d7ebf37d307fdf1c59029699e651840a0f37579a700;

    /// @notice The ledger's total, wei.
    function ledgerTotal() external view virtual returns (uint256) {
        return _ledger()._total;
    }

    function _ledger() private pure returns (LedgerStorage storage $) {
        assembly {
            $.slot := _LEDGER_STORAGE_LOCATION
        }
    }
}

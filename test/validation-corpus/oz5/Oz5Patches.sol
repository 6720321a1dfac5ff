// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import {OzVault5} from "../../protocols/contracts/oz5/OzVault5.sol";
import {OzPriceOracle5} from "../../protocols/contracts/oz5/OzPriceOracle5.sol";
import {OzTreasury5} from "../../protocols/contracts/oz5/OzTreasury5.sol";

// Corpus patches of the OpenZeppelin 5.4 kit system (UUPS vault, Transparent oracle, Beacon treasury;
// solc 0.8.24), by inheritance. Each contract is one candidate patch; the corpus case using it states
// its verdict. Every one is an upgrade-only implementation: the proxies are initialized, so each carries
// the `missing-initializer` allowance upgrades-core 1.46 asks of a V2 that inherits its V1's initializer.

/// @notice Correct: the vault reports its new version; storage untouched.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract OzVault5Patched is OzVault5 {
    /// @inheritdoc OzVault5
    function version() external pure virtual override returns (string memory) {
        return "1.1";
    }
}

/// @notice Correct: the oracle tells whether an asset is priced; storage untouched.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract OzPriceOracle5Patched is OzPriceOracle5 {
    /// @notice Whether `asset` has a price.
    function isPriced(address asset) external view returns (bool) {
        return this.priceOf(asset) != 0;
    }

    /// @inheritdoc OzPriceOracle5
    function version() external pure virtual override returns (string memory) {
        return "1.1";
    }
}

/// @notice Correct: the treasury reports its new version; storage untouched.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract OzTreasury5Patched is OzTreasury5 {
    /// @inheritdoc OzTreasury5
    function version() external pure virtual override returns (string memory) {
        return "1.1";
    }
}

/// @notice A fee recipient set by a version-2 reinitializer, which has no access control of its own:
/// safe only when the release calls it atomically with the upgrade.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract OzVault5FeeRecipient is OzVault5 {
    /// @notice Receives the vault's fees (appended after the parent's variables).
    address private _feeRecipient;

    /// @notice `feeRecipient` set.
    event FeeRecipientSet(address feeRecipient);

    /// @notice Version-2 initializer (BULWARK-CORPUS: unguarded; whoever calls it first sets the recipient).
    function initializeV2(address feeRecipient_) external reinitializer(2) {
        _feeRecipient = feeRecipient_;
        emit FeeRecipientSet(feeRecipient_);
    }

    /// @notice The account receiving fees.
    function feeRecipient() external view returns (address) {
        return _feeRecipient;
    }

    /// @inheritdoc OzVault5
    function version() external pure virtual override returns (string memory) {
        return "2";
    }
}

/// @notice New privileged function without access control: meant for the guardian's emergency
/// recovery of ownership, the check forgotten (BULWARK-CORPUS: the defect under test).
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract OzVault5OwnershipRecovery is OzVault5 {
    /// @notice Hands the vault to `newOwner`.
    function recoverOwnership(address newOwner) external {
        _transferOwnership(newOwner);
    }
}

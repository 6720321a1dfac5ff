// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {FlashVault, IFlashBorrower} from "../../fixtures/validate-oz4/FlashVault.sol";
import {PriceOracle} from "../../fixtures/validate-oz4/PriceOracle.sol";
import {Treasury} from "../../fixtures/validate-oz4/Treasury.sol";

// Corpus patches of the OpenZeppelin 4.9 system (UUPS flash-loan vault, Transparent oracle behind a 4.9
// ProxyAdmin, Beacon treasury; solc 0.8.19), by inheritance, appended storage only. Each contract is one
// candidate patch; the corpus case that uses it states its expected verdict.
//
// Every one is an upgrade-only implementation: the proxies are initialized, so each contract carries
// the `missing-initializer` allowance upgrades-core 1.46 asks of a V2 that inherits its V1's initializer.

/// @notice Correct: the vault reports its new version; storage untouched.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract FlashVaultPatched is FlashVault {
    /// @inheritdoc FlashVault
    function version() external pure virtual override returns (uint256) {
        return 2;
    }
}

/// @notice Correct: the oracle refuses a zero price; storage untouched.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract PriceOraclePatched is PriceOracle {
    /// @notice The price is zero.
    error PriceOracleZeroPrice();

    /// @inheritdoc PriceOracle
    function setPrice(uint256 price_) external virtual override onlyOwner {
        if (price_ == 0) revert PriceOracleZeroPrice();
        price = price_;
        emit PriceSet(price_);
    }

    /// @inheritdoc PriceOracle
    function version() external pure virtual override returns (uint256) {
        return 2;
    }
}

/// @notice Correct: the treasury reports its new version; storage untouched.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract TreasuryPatched is Treasury {
    /// @inheritdoc Treasury
    function version() external pure virtual override returns (uint256) {
        return 2;
    }
}

/// @notice Unsafe opcode: a "retire" function that selfdestructs the implementation every beacon proxy delegates to.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract TreasurySelfdestruct is Treasury {
    /// @notice Retires the treasury (BULWARK-CORPUS: the defect under test).
    function retire(address payable to) external onlyOwner {
        selfdestruct(to);
    }
}

/// @notice Unsafe initial values: a state variable assigned at its declaration and an immutable.
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract PriceOracleInitialValues is PriceOracle {
    /// @notice Largest accepted price move, basis points (BULWARK-CORPUS: the initial value never reaches the proxy).
    uint256 public maxDeviationBps = 500;
    /// @notice Fallback price source (BULWARK-CORPUS: an immutable lives in the implementation's code).
    address public immutable fallbackSource;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        fallbackSource = address(0xFA11);
    }
}

/// @notice Incomplete fix: stops nested flash loans, but a deposit during a loan still counts as
/// repayment, so the exploit still works (BULWARK-CORPUS: the defect under test).
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract FlashVaultNestedLoanGuard is FlashVault {
    bool private _lending;

    /// @inheritdoc FlashVault
    function version() external pure virtual override returns (uint256) {
        return 2;
    }

    function _callBorrower(address receiver, uint256 amount, bytes calldata data) internal override {
        require(!_lending, "FlashVault: nested flash loan");
        _lending = true;
        IFlashBorrower(receiver).onFlashLoan(msg.sender, amount, data);
        _lending = false;
    }
}

/// @notice Fixes the exploit (no deposit during a loan) but also lets only externally owned accounts
/// borrow: every flash loan taken through a contract — the arbitrage bot's — now reverts, while every
/// transaction sent to the vault itself behaves as before (BULWARK-CORPUS: the defect under test).
/// @custom:oz-upgrades-unsafe-allow missing-initializer
contract FlashVaultEoaOnlyLoans is FlashVault {
    bool private _lending;

    /// @inheritdoc FlashVault
    function deposit(uint256 amount) public virtual override {
        require(!_lending, "FlashVault: deposit during a flash loan");
        super.deposit(amount);
    }

    /// @inheritdoc FlashVault
    function version() external pure virtual override returns (uint256) {
        return 2;
    }

    function _callBorrower(address receiver, uint256 amount, bytes calldata data) internal override {
        require(msg.sender == tx.origin, "FlashVault: contracts may not borrow");
        _lending = true;
        IFlashBorrower(receiver).onFlashLoan(msg.sender, amount, data);
        _lending = false;
    }
}

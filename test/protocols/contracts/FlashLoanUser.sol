// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IERC20} from "oz-contracts-4-9/token/ERC20/IERC20.sol";

/// The Aave V3 pool's simple flash loan entry point (IPool.flashLoanSimple).
interface IAaveFlashLender {
    function flashLoanSimple(address receiver, address asset, uint256 amount, bytes calldata params, uint16 referralCode) external;
}

/// The Balancer V2 vault's flash loan entry point (IVault.flashLoan).
interface IBalancerFlashLender {
    function flashLoan(address recipient, IERC20[] calldata tokens, uint256[] calldata amounts, bytes calldata userData) external;
}

/// @title FlashLoanUser
/// @notice An honest flash borrower for Aave V3 and Balancer V2: borrows, does nothing, repays with its
/// own balance paying the fee. Benign traffic for monitors; anyone may use it, and it must hold the fee.
contract FlashLoanUser {
    /// @notice A callback came from an address that is not the lender this contract called.
    error FlashLoanUserUnexpectedLender(address caller);

    /// @notice A flash loan of `amount` of `asset` from `lender` was repaid with `fee`.
    event FlashLoanRepaid(address indexed lender, address indexed asset, uint256 amount, uint256 fee);

    address private _lender;

    /// @notice Takes and repays an Aave V3 simple flash loan.
    function borrowFromAave(address pool, address asset, uint256 amount) external virtual {
        _lender = pool;
        IAaveFlashLender(pool).flashLoanSimple(address(this), asset, amount, "", 0);
        _lender = address(0);
    }

    /// @notice Aave V3's callback (IFlashLoanSimpleReceiver): approves the repayment.
    function executeOperation(address asset, uint256 amount, uint256 premium, address, bytes calldata) external virtual returns (bool) {
        if (msg.sender != _lender) revert FlashLoanUserUnexpectedLender(msg.sender);
        IERC20(asset).approve(msg.sender, amount + premium);
        emit FlashLoanRepaid(msg.sender, asset, amount, premium);
        return true;
    }

    /// @notice Takes and repays a Balancer V2 flash loan of one token.
    function borrowFromBalancer(address vault, IERC20 token, uint256 amount) external virtual {
        IERC20[] memory tokens = new IERC20[](1);
        tokens[0] = token;
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = amount;
        _lender = vault;
        IBalancerFlashLender(vault).flashLoan(address(this), tokens, amounts, "");
        _lender = address(0);
    }

    /// @notice Balancer V2's callback (IFlashLoanRecipient): pays back every token with its fee.
    function receiveFlashLoan(IERC20[] calldata tokens, uint256[] calldata amounts, uint256[] calldata feeAmounts, bytes calldata) external virtual {
        if (msg.sender != _lender) revert FlashLoanUserUnexpectedLender(msg.sender);
        for (uint256 i = 0; i < tokens.length; ++i) {
            tokens[i].transfer(msg.sender, amounts[i] + feeAmounts[i]);
            emit FlashLoanRepaid(msg.sender, address(tokens[i]), amounts[i], feeAmounts[i]);
        }
    }
}

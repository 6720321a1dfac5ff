// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IInterestRateModel
 * @notice What a lending pool asks its interest rate model: the borrow rate for its current books.
 */
interface IInterestRateModel {
    /**
     * @notice The borrow rate per second, scaled by 1e18, for the given state of a pool.
     * @param cash Assets held by the pool and available to borrow or withdraw.
     * @param borrows Outstanding borrows including accrued interest.
     * @param reserves The protocol's share of the pool (not owed to depositors).
     * @return ratePerSecond The per-second borrow rate, 1e18 = 100% per second.
     */
    function getBorrowRate(uint256 cash, uint256 borrows, uint256 reserves) external view returns (uint256 ratePerSecond);
}

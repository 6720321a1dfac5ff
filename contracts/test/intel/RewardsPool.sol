// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice A rewards pool whose `emergencyWithdraw` was copied from a neighbour's exploited
/// staking contract: it pays out before zeroing the balance (intel team-pattern fixture).
contract RewardsPool {
    mapping(address => uint256) public balances;

    function stake() external payable {
        balances[msg.sender] += msg.value;
    }

    function emergencyWithdraw(uint256) external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "transfer failed");
        balances[msg.sender] = 0;
    }
}

/// @notice The same pool with the checks-effects-interactions order restored.
contract SafeRewardsPool {
    mapping(address => uint256) public balances;

    function stake() external payable {
        balances[msg.sender] += msg.value;
    }

    function emergencyWithdraw(uint256) external {
        uint256 amount = balances[msg.sender];
        balances[msg.sender] = 0;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "transfer failed");
    }
}

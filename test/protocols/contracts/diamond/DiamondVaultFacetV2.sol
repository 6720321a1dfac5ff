// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @title DiamondVaultFacetV2
/// @notice The vault facet's next version: same ERC-7201 namespace, one member appended (a deposit count).
contract DiamondVaultFacetV2 {
    /// @custom:storage-location erc7201:bulwark.kit.vault
    struct VaultStorage {
        mapping(address => uint256) _balances;
        uint256 _totalDeposits;
        uint256 _depositCount;
    }

    // keccak256(abi.encode(uint256(keccak256("bulwark.kit.vault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _VAULT_STORAGE_LOCATION = 0xb9304a3c53cd53e79e2a1d7ebf37d307fdf1c59029699e651840a0f37579a700;

    /// @notice Emitted after `account` deposited `amount` wei.
    event Deposited(address indexed account, uint256 amount);
    /// @notice Emitted after `account` withdrew `amount` wei.
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice A withdrawal larger than the caller's balance.
    error DiamondVaultInsufficientBalance(address account, uint256 balance, uint256 amount);
    /// @notice The ether transfer of a withdrawal failed.
    error DiamondVaultTransferFailed(address account, uint256 amount);

    /// @notice Deposits the sent ether to the caller's balance.
    function deposit() external payable virtual {
        VaultStorage storage $ = _vault();
        $._balances[msg.sender] += msg.value;
        $._totalDeposits += msg.value;
        $._depositCount += 1;
        emit Deposited(msg.sender, msg.value);
    }

    /// @notice Withdraws `amount` wei of the caller's balance (effects before the transfer).
    function withdraw(uint256 amount) external virtual {
        VaultStorage storage $ = _vault();
        uint256 balance = $._balances[msg.sender];
        if (amount > balance) revert DiamondVaultInsufficientBalance(msg.sender, balance, amount);
        // Cannot underflow: amount <= balance <= totalDeposits, checked above.
        unchecked {
            $._balances[msg.sender] = balance - amount;
            $._totalDeposits -= amount;
        }
        emit Withdrawn(msg.sender, amount);
        (bool sent, ) = msg.sender.call{value: amount}("");
        if (!sent) revert DiamondVaultTransferFailed(msg.sender, amount);
    }

    /// @notice The balance of `account`, wei.
    function balanceOf(address account) external view virtual returns (uint256) {
        return _vault()._balances[account];
    }

    /// @notice The sum of every balance, wei.
    function totalDeposits() external view virtual returns (uint256) {
        return _vault()._totalDeposits;
    }

    /// @notice Deposits made since this version was cut in.
    function depositCount() external view virtual returns (uint256) {
        return _vault()._depositCount;
    }

    function _vault() private pure returns (VaultStorage storage $) {
        assembly {
            $.slot := _VAULT_STORAGE_LOCATION
        }
    }
}

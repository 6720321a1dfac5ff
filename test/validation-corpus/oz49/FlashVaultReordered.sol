// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {Initializable} from "oz-upgradeable-4-9/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "oz-upgradeable-4-9/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "oz-upgradeable-4-9/access/OwnableUpgradeable.sol";
import {IERC20} from "oz-contracts-4-9/token/ERC20/IERC20.sol";

/// @notice The borrower side of a flash loan as V1 calls it: no return value is read.
interface IFlashBorrower {
    function onFlashLoan(address initiator, uint256 amount, bytes calldata data) external;
}

/// @notice The borrower side as the "hardened" V2 calls it: the magic value must come back.
interface IFlashBorrowerChecked {
    function onFlashLoan(address initiator, uint256 amount, bytes calldata data) external returns (bytes32);
}

/// @title A UUPS vault (OpenZeppelin 4.9) holding one token, with fee-free flash loans.
// BULWARK-CORPUS: copy of the fixture FlashVault with one change
contract FlashVaultReordered is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    IERC20 public asset;
    // BULWARK-CORPUS: the two variables swapped (the defect under test)
    uint256 public totalDeposits;
    mapping(address => uint256) public balanceOf;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event FlashLoaned(address indexed receiver, uint256 amount);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(IERC20 asset_, address owner_) external initializer {
        __Ownable_init();
        __UUPSUpgradeable_init();
        _transferOwnership(owner_);
        asset = asset_;
    }

    function deposit(uint256 amount) public virtual {
        require(asset.transferFrom(msg.sender, address(this), amount), "FlashVault: transfer");
        balanceOf[msg.sender] += amount;
        totalDeposits += amount;
        emit Deposited(msg.sender, amount);
    }

    function withdraw(uint256 amount) external virtual {
        balanceOf[msg.sender] -= amount;
        totalDeposits -= amount;
        require(asset.transfer(msg.sender, amount), "FlashVault: transfer");
        emit Withdrawn(msg.sender, amount);
    }

    function flashLoan(address receiver, uint256 amount, bytes calldata data) external virtual {
        uint256 before = asset.balanceOf(address(this));
        require(asset.transfer(receiver, amount), "FlashVault: transfer");
        _callBorrower(receiver, amount, data);
        require(asset.balanceOf(address(this)) >= before, "FlashVault: not repaid");
        emit FlashLoaned(receiver, amount);
    }

    function version() external pure virtual returns (uint256) {
        return 1;
    }

    function _callBorrower(address receiver, uint256 amount, bytes calldata data) internal virtual {
        IFlashBorrower(receiver).onFlashLoan(msg.sender, amount, data);
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}

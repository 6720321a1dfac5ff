// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {AccessControl} from "oz-contracts-4-9/access/AccessControl.sol";
import {ERC20} from "oz-contracts-4-9/token/ERC20/ERC20.sol";

/// @title KitToken
/// @notice An ERC-20 for the test protocols' markets and pools: only holders of MINTER_ROLE may mint,
/// so "minting by the minter" is ordinary traffic and minting by anyone else is an attack.
contract KitToken is ERC20, AccessControl {
    /// @notice The role allowed to mint.
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    uint8 private immutable _decimals;

    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param decimals_ Decimals (6 for a USDC-like token, 18 otherwise).
    /// @param admin Receives DEFAULT_ADMIN_ROLE and MINTER_ROLE.
    constructor(string memory name_, string memory symbol_, uint8 decimals_, address admin) ERC20(name_, symbol_) {
        _decimals = decimals_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
    }

    /// @notice Mints `amount` to `to`; MINTER_ROLE only.
    function mint(address to, uint256 amount) external virtual onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view virtual override returns (uint8) {
        return _decimals;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IAuthorizer} from "@balancer-labs/v2-interfaces/contracts/vault/IAuthorizer.sol";
import {AccessControl} from "oz-contracts-4-9/access/AccessControl.sol";

/// @title BalancerActionAuthorizer
/// @notice An authorizer for the Balancer V2 vault in the shape of Balancer's original one: each action id
/// (`vault.getActionId(selector)`) is an AccessControl role, granted and revoked by DEFAULT_ADMIN_ROLE's
/// holder (the timelock). v2-vault 3.x ships only the TimelockAuthorizer, which needs an adaptor
/// entrypoint from another package and an existing vault.
contract BalancerActionAuthorizer is IAuthorizer, AccessControl {
    /// @param admin Receives DEFAULT_ADMIN_ROLE.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IAuthorizer
    function canPerform(bytes32 actionId, address account, address) external view virtual override returns (bool) {
        return hasRole(actionId, account);
    }
}

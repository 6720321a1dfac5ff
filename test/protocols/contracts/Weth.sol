// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

// WETH9 as @aave/core-v3 ships it: the wrapped-ether token the Balancer V2 vault is constructed with.
import {WETH9} from "@aave/core-v3/contracts/dependencies/weth/WETH9.sol";

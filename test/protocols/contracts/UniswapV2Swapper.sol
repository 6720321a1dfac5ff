// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IUniswapV2Pair} from "@uniswap/v2-core/contracts/interfaces/IUniswapV2Pair.sol";
import {IERC20} from "oz-contracts-4-9/token/ERC20/IERC20.sol";
import {SafeERC20} from "oz-contracts-4-9/token/ERC20/utils/SafeERC20.sol";

/// @title UniswapV2Swapper
/// @notice The smallest router: one exact-input swap against one Uniswap V2 pair in one transaction
/// (pull the input into the pair, then `swap` with the constant-product output at the 0.3% fee).
contract UniswapV2Swapper {
    using SafeERC20 for IERC20;

    /// @notice The output is below the caller's minimum.
    error SwapperInsufficientOutput(uint256 amountOut, uint256 minAmountOut);

    /// @notice Swapped `amountIn` of `tokenIn` for `amountOut` of the pair's other token, sent to `to`.
    event Swapped(address indexed pair, address indexed tokenIn, uint256 amountIn, uint256 amountOut, address to);

    /// @notice Swaps `amountIn` of `tokenIn` (approved to this contract) on `pair`, sending the output to `to`.
    /// @return amountOut What `to` received.
    function swapExactIn(IUniswapV2Pair pair, address tokenIn, uint256 amountIn, uint256 minAmountOut, address to)
        external
        virtual
        returns (uint256 amountOut)
    {
        amountOut = quote(pair, tokenIn, amountIn);
        if (amountOut < minAmountOut) revert SwapperInsufficientOutput(amountOut, minAmountOut);
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(pair), amountIn);
        if (pair.token0() == tokenIn) pair.swap(0, amountOut, to, "");
        else pair.swap(amountOut, 0, to, "");
        emit Swapped(address(pair), tokenIn, amountIn, amountOut, to);
    }

    /// @notice The output of an exact-input swap at the pair's current reserves (Uniswap V2's getAmountOut).
    function quote(IUniswapV2Pair pair, address tokenIn, uint256 amountIn) public view returns (uint256) {
        (uint112 reserve0, uint112 reserve1, ) = pair.getReserves();
        (uint256 reserveIn, uint256 reserveOut) = pair.token0() == tokenIn ? (reserve0, reserve1) : (reserve1, reserve0);
        uint256 amountInWithFee = amountIn * 997;
        return (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
    }
}

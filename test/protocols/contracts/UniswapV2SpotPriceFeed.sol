// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

import {IUniswapV2Pair} from "@uniswap/v2-core/contracts/interfaces/IUniswapV2Pair.sol";

/// @title UniswapV2SpotPriceFeed
/// @notice A Chainlink-style feed (`latestAnswer`, 8 decimals) that prices `base` in `quote` units from
/// a Uniswap V2 pair's current reserves, with `quote` taken at one unit of account. No TWAP, on purpose:
/// moving the pair's reserves moves the price every consumer (an Aave oracle) reads in the same block.
contract UniswapV2SpotPriceFeed {
    /// @notice The pair does not hold `base`, or holds no liquidity.
    error SpotPriceFeedUnpriceable(address pair, address base);

    IUniswapV2Pair private immutable _pair;
    bool private immutable _baseIsToken0;
    /// 10 ** (8 + base decimals - quote decimals), so reserveQuote * scale / reserveBase has 8 decimals.
    uint256 private immutable _scale;

    /// @param pair The Uniswap V2 pair of `base` and the quote token.
    /// @param base The token this feed prices.
    /// @param baseDecimals Decimals of `base`.
    /// @param quoteDecimals Decimals of the other token of the pair (at most 8 + baseDecimals).
    constructor(IUniswapV2Pair pair, address base, uint8 baseDecimals, uint8 quoteDecimals) {
        if (pair.token0() != base && pair.token1() != base) revert SpotPriceFeedUnpriceable(address(pair), base);
        _pair = pair;
        _baseIsToken0 = pair.token0() == base;
        _scale = 10 ** (8 + uint256(baseDecimals) - uint256(quoteDecimals));
    }

    /// @notice The spot price of one whole `base` in quote units, 8 decimals.
    function latestAnswer() external view virtual returns (int256) {
        (uint112 reserve0, uint112 reserve1, ) = _pair.getReserves();
        (uint256 reserveBase, uint256 reserveQuote) = _baseIsToken0 ? (reserve0, reserve1) : (reserve1, reserve0);
        if (reserveBase == 0) revert SpotPriceFeedUnpriceable(address(_pair), address(0));
        return int256((reserveQuote * _scale) / reserveBase);
    }

    /// @notice Decimals of `latestAnswer`.
    function decimals() external pure returns (uint8) {
        return 8;
    }

    /// @notice The pair this feed reads.
    function pair() external view returns (address) {
        return address(_pair);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IDiamondCut
 * @notice The upgrade entry point of an EIP-2535 diamond, as the standard defines it.
 */
interface IDiamondCut {
    /// @notice What a cut does with its selectors.
    enum FacetCutAction {
        Add,
        Replace,
        Remove
    }

    /**
     * @notice One facet's part of a cut.
     * @param facetAddress The facet serving the selectors (zero for Remove).
     * @param action Add, Replace or Remove.
     * @param functionSelectors The selectors routed to (or removed from) the diamond.
     */
    struct FacetCut {
        address facetAddress;
        FacetCutAction action;
        bytes4[] functionSelectors;
    }

    /**
     * @notice Adds, replaces or removes selectors, then delegatecalls `init` with `initData` (none when `init` is zero).
     * @param cuts The facet cuts.
     * @param init The initializer delegatecalled after the cut, or zero.
     * @param initData Its calldata.
     */
    function diamondCut(FacetCut[] calldata cuts, address init, bytes calldata initData) external;
}

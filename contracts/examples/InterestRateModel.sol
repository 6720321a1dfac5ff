// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {IInterestRateModel} from "./interfaces/IInterestRateModel.sol";

/**
 * @title InterestRateModel
 * @notice A jump-rate model (Compound's kinked curve): the borrow rate grows slowly with utilization
 * up to the kink, then steeply, so that lenders can always exit.
 * @dev Deployed behind a TransparentUpgradeableProxy whose ProxyAdmin is owned by the timelock; the
 * model's own owner (parameter changes) is the timelock too.
 */
contract InterestRateModel is Initializable, OwnableUpgradeable, IInterestRateModel {
    /// @notice Seconds in a 365-day year: yearly parameters are divided by it.
    uint256 public constant SECONDS_PER_YEAR = 365 days;

    /// @notice Above this yearly rate a parameter is a typo, not a policy (1000% per year).
    uint256 public constant MAX_RATE_PER_YEAR = 10e18;

    /// @custom:storage-location erc7201:bulwark.demo.InterestRateModel
    struct InterestRateModelStorage {
        uint256 _baseRatePerSecond;
        uint256 _multiplierPerSecond;
        uint256 _jumpMultiplierPerSecond;
        uint256 _kink;
    }

    // keccak256(abi.encode(uint256(keccak256("bulwark.demo.InterestRateModel")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant INTEREST_RATE_MODEL_STORAGE_LOCATION =
        0xb1b0467431e49417bde6941181b03c73b241066256f35447f493c29eae00dd00;

    /**
     * @notice Emitted when the curve changed.
     * @param baseRatePerYear Rate at 0% utilization, 1e18 = 100% per year.
     * @param multiplierPerYear Slope up to the kink, per year.
     * @param jumpMultiplierPerYear Slope above the kink, per year.
     * @param kink Utilization (1e18 = 100%) where the jump slope starts.
     */
    event InterestRateModelParametersUpdated(
        uint256 baseRatePerYear, uint256 multiplierPerYear, uint256 jumpMultiplierPerYear, uint256 kink
    );

    /**
     * @notice A yearly rate parameter is above {MAX_RATE_PER_YEAR}.
     * @param ratePerYear The rejected value.
     * @param maximum The largest accepted value.
     */
    error InterestRateModelRateTooHigh(uint256 ratePerYear, uint256 maximum);

    /**
     * @notice The kink is not a utilization between 0 and 100%.
     * @param kink The rejected value (1e18 = 100%).
     */
    error InterestRateModelInvalidKink(uint256 kink);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /**
     * @notice Sets the owner and the curve; called once through the proxy.
     * @param initialOwner Account allowed to change the curve (the timelock).
     * @param baseRatePerYear Rate at 0% utilization, 1e18 = 100% per year.
     * @param multiplierPerYear Slope up to the kink, per year.
     * @param jumpMultiplierPerYear Slope above the kink, per year.
     * @param kink Utilization (1e18 = 100%) where the jump slope starts.
     */
    function initialize(
        address initialOwner,
        uint256 baseRatePerYear,
        uint256 multiplierPerYear,
        uint256 jumpMultiplierPerYear,
        uint256 kink
    ) external initializer {
        __Ownable_init(initialOwner);
        _setParameters(baseRatePerYear, multiplierPerYear, jumpMultiplierPerYear, kink);
    }

    /**
     * @notice Replaces the curve. Owner only.
     * @param baseRatePerYear Rate at 0% utilization, 1e18 = 100% per year.
     * @param multiplierPerYear Slope up to the kink, per year.
     * @param jumpMultiplierPerYear Slope above the kink, per year.
     * @param kink Utilization (1e18 = 100%) where the jump slope starts.
     */
    function setParameters(uint256 baseRatePerYear, uint256 multiplierPerYear, uint256 jumpMultiplierPerYear, uint256 kink)
        external
        virtual
        onlyOwner
    {
        _setParameters(baseRatePerYear, multiplierPerYear, jumpMultiplierPerYear, kink);
    }

    /// @inheritdoc IInterestRateModel
    function getBorrowRate(uint256 cash, uint256 borrows, uint256 reserves) external view virtual returns (uint256) {
        InterestRateModelStorage storage $ = _getInterestRateModelStorage();
        uint256 utilization = utilizationRate(cash, borrows, reserves);
        if (utilization <= $._kink) {
            return $._baseRatePerSecond + utilization * $._multiplierPerSecond / 1e18;
        }
        uint256 rateAtKink = $._baseRatePerSecond + $._kink * $._multiplierPerSecond / 1e18;
        return rateAtKink + (utilization - $._kink) * $._jumpMultiplierPerSecond / 1e18;
    }

    /**
     * @notice Share of the lenders' assets that is borrowed, 1e18 = 100%.
     * @param cash Assets held by the pool.
     * @param borrows Outstanding borrows.
     * @param reserves The protocol's share, not lent by depositors.
     * @return utilization borrows / (cash + borrows - reserves), 0 when nothing is borrowed.
     */
    function utilizationRate(uint256 cash, uint256 borrows, uint256 reserves) public pure virtual returns (uint256) {
        if (borrows == 0) return 0;
        uint256 supplied = cash + borrows - reserves;
        // Reserves can exceed what lenders supplied only after a loss; treat the pool as fully used.
        if (supplied == 0 || borrows > supplied) return 1e18;
        return borrows * 1e18 / supplied;
    }

    /**
     * @notice The current curve, converted back to yearly figures.
     * @return baseRatePerYear Rate at 0% utilization.
     * @return multiplierPerYear Slope up to the kink.
     * @return jumpMultiplierPerYear Slope above the kink.
     * @return kink Utilization where the jump slope starts.
     */
    function parameters()
        external
        view
        virtual
        returns (uint256 baseRatePerYear, uint256 multiplierPerYear, uint256 jumpMultiplierPerYear, uint256 kink)
    {
        InterestRateModelStorage storage $ = _getInterestRateModelStorage();
        return (
            $._baseRatePerSecond * SECONDS_PER_YEAR,
            $._multiplierPerSecond * SECONDS_PER_YEAR,
            $._jumpMultiplierPerSecond * SECONDS_PER_YEAR,
            $._kink
        );
    }

    /// @dev Validates the yearly figures and stores them per second, the unit the pool accrues in.
    function _setParameters(uint256 baseRatePerYear, uint256 multiplierPerYear, uint256 jumpMultiplierPerYear, uint256 kink)
        internal
        virtual
    {
        _checkRate(baseRatePerYear);
        _checkRate(multiplierPerYear);
        _checkRate(jumpMultiplierPerYear);
        if (kink == 0 || kink > 1e18) revert InterestRateModelInvalidKink(kink);
        InterestRateModelStorage storage $ = _getInterestRateModelStorage();
        $._baseRatePerSecond = baseRatePerYear / SECONDS_PER_YEAR;
        $._multiplierPerSecond = multiplierPerYear / SECONDS_PER_YEAR;
        $._jumpMultiplierPerSecond = jumpMultiplierPerYear / SECONDS_PER_YEAR;
        $._kink = kink;
        emit InterestRateModelParametersUpdated(baseRatePerYear, multiplierPerYear, jumpMultiplierPerYear, kink);
    }

    /// @dev Reverts on a yearly rate above {MAX_RATE_PER_YEAR}.
    function _checkRate(uint256 ratePerYear) private pure {
        if (ratePerYear > MAX_RATE_PER_YEAR) revert InterestRateModelRateTooHigh(ratePerYear, MAX_RATE_PER_YEAR);
    }

    function _getInterestRateModelStorage() private pure returns (InterestRateModelStorage storage $) {
        assembly {
            $.slot := INTEREST_RATE_MODEL_STORAGE_LOCATION
        }
    }
}

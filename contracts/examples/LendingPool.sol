// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IInterestRateModel} from "./interfaces/IInterestRateModel.sol";
import {PartialPausableUpgradeable} from "../PartialPausableUpgradeable.sol";
import {IPausableUntil} from "../interfaces/IPausableUntil.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/**
 * @title LendingPool (V1)
 * @notice A single-asset money market: depositors lend the asset and earn interest; a depositor may
 * borrow up to `collateralFactor` of its own deposit. Interest accrues per second at the rate of the
 * pool's {IInterestRateModel}; `reserveFactor` of it goes to protocol reserves.
 * @dev Deployed behind an ERC1967Proxy (UUPS). Roles: DEFAULT_ADMIN_ROLE is held by the timelock,
 * UPGRADER_ROLE by the release gate (which the timelock administers), PAUSER_ROLE by the guardian and
 * the emergency pause seal; pausers may pause but not unpause.
 *
 * Containment (Bulwark): besides the full pause, {PartialPausableUpgradeable} lets a pauser stop one
 * function ({pauseSelector}) or the asset ({pauseAsset}), or pause everything for a bounded time
 * ({pauseFor}, what the seal calls); and every transfer out asks the {ICircuitBreaker} first. The
 * outflow that would cross the breaker's limit is skipped without reverting (the pool's books are not
 * touched, the funds stay owed to the same account) so the trip is kept; later outflows revert.
 *
 * KNOWN VULNERABILITY (kept on purpose, fixed in {LendingPoolV2}): reentrancy through a token
 * callback. {withdraw} reads the depositor's balance, transfers the asset, and only then writes the
 * balance back. When the asset calls the recipient on transfer (ERC-777 style, like {DemoToken}),
 * the recipient re-enters {withdraw} while its recorded deposit is still untouched and withdraws it
 * again and again until the pool is empty. Incident class: reentrancy via token callback (SWC-107);
 * real-world analogues: Lendf.me/dForce with imBTC (April 2020, ~$25M) and Cream Finance with AMP
 * (August 2021, ~$18M).
 */
contract LendingPool is
    Initializable,
    AccessControlUpgradeable,
    PausableUpgradeable,
    PartialPausableUpgradeable,
    UUPSUpgradeable,
    IPausableUntil
{
    using SafeERC20 for IERC20;

    /// @notice May upgrade the implementation (the release gate).
    bytes32 public constant UPGRADER_ROLE = keccak256("UPGRADER_ROLE");

    /// @notice May pause deposits, withdrawals and borrows, in full or in part (the guardian, the pause seal).
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Upper bound of the collateral factor (90%), so a borrow always leaves a margin.
    uint256 public constant MAX_COLLATERAL_FACTOR = 0.9e18;

    /// @notice Upper bound of the reserve factor (50%).
    uint256 public constant MAX_RESERVE_FACTOR = 0.5e18;

    /**
     * @notice An account's debt as of its last borrow or repay.
     * @param principal The debt at that moment, interest included.
     * @param interestIndex The pool's borrow index at that moment.
     */
    struct BorrowSnapshot {
        uint256 principal;
        uint256 interestIndex;
    }

    /// @custom:storage-location erc7201:bulwark.demo.LendingPool
    struct LendingPoolStorage {
        IERC20 _asset;
        IInterestRateModel _interestRateModel;
        uint256 _collateralFactor;
        uint256 _reserveFactor;
        uint256 _totalScaledDeposits;
        uint256 _totalBorrows;
        uint256 _totalReserves;
        uint256 _supplyIndex;
        uint256 _borrowIndex;
        uint256 _lastAccrualTimestamp;
        mapping(address account => uint256) _scaledDeposits;
        mapping(address account => BorrowSnapshot) _borrows;
        // Bulwark containment: asked before every transfer out; zero means no breaker.
        ICircuitBreaker _circuitBreaker;
    }

    // keccak256(abi.encode(uint256(keccak256("bulwark.demo.LendingPool")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant LENDING_POOL_STORAGE_LOCATION =
        0x0ec67079d3f391d563b477fd07f67c8669d486df079fa1e1162453f0b8435700;

    /**
     * @notice Emitted when `account` deposited `assets`.
     * @param account The depositor.
     * @param assets Amount of the asset received.
     * @param scaledAmount Deposit units credited (assets divided by the supply index).
     */
    event Deposited(address indexed account, uint256 assets, uint256 scaledAmount);

    /**
     * @notice Emitted when `account` withdrew `assets`.
     * @param account The depositor.
     * @param assets Amount of the asset sent.
     * @param scaledAmount Deposit units debited.
     */
    event Withdrawn(address indexed account, uint256 assets, uint256 scaledAmount);

    /**
     * @notice Emitted when `account` borrowed `assets`.
     * @param account The borrower.
     * @param assets Amount sent to the borrower.
     * @param accountDebt The borrower's debt afterwards.
     */
    event Borrowed(address indexed account, uint256 assets, uint256 accountDebt);

    /**
     * @notice Emitted when `payer` repaid `assets` of `account`'s debt.
     * @param payer The account the asset came from.
     * @param account The borrower whose debt fell.
     * @param assets Amount repaid.
     * @param accountDebt The borrower's debt afterwards.
     */
    event Repaid(address indexed payer, address indexed account, uint256 assets, uint256 accountDebt);

    /**
     * @notice Emitted when interest accrued since the last accrual.
     * @param interest Interest added to the borrows.
     * @param reservesAdded The part of `interest` kept as reserves.
     * @param borrowIndex The borrow index afterwards.
     * @param supplyIndex The supply index afterwards.
     */
    event InterestAccrued(uint256 interest, uint256 reservesAdded, uint256 borrowIndex, uint256 supplyIndex);

    /**
     * @notice Emitted when reserves were sent out of the pool.
     * @param to The recipient.
     * @param amount Amount sent.
     */
    event ReservesWithdrawn(address indexed to, uint256 amount);

    /**
     * @notice Emitted when the pool switched to another interest rate model.
     * @param previousModel The model used until now.
     * @param newModel The model used from now on.
     */
    event InterestRateModelChanged(address indexed previousModel, address indexed newModel);

    /**
     * @notice Emitted when the circuit breaker refused an outflow (and tripped): nothing moved and the
     * books are unchanged.
     * @param account Who asked for the outflow.
     * @param selector The function that asked (withdraw, borrow, withdrawReserves).
     * @param assets The refused amount.
     */
    event OutflowRefused(address indexed account, bytes4 indexed selector, uint256 assets);

    /**
     * @notice Emitted when the pool switched to another circuit breaker.
     * @param previousBreaker The breaker used until now (zero: none).
     * @param newBreaker The breaker used from now on (zero: none).
     */
    event CircuitBreakerChanged(address indexed previousBreaker, address indexed newBreaker);

    /// @notice An amount of zero was given where the operation needs a positive amount.
    error LendingPoolZeroAmount();

    /// @notice The zero address was given for a contract or account the pool depends on.
    error LendingPoolZeroAddress();

    /**
     * @notice `account` asked to withdraw more than it deposited.
     * @param account The depositor.
     * @param available Its deposit, in assets.
     * @param requested The amount asked for.
     */
    error LendingPoolInsufficientDeposit(address account, uint256 available, uint256 requested);

    /**
     * @notice The operation would leave `account` with more debt than its deposit allows.
     * @param account The borrower.
     * @param borrowLimit Its deposit times the collateral factor, after the operation.
     * @param debt Its debt after the operation.
     */
    error LendingPoolInsufficientCollateral(address account, uint256 borrowLimit, uint256 debt);

    /**
     * @notice The pool does not hold enough of the asset.
     * @param available The pool's cash.
     * @param requested The amount asked for.
     */
    error LendingPoolInsufficientCash(uint256 available, uint256 requested);

    /**
     * @notice A repayment larger than the debt.
     * @param account The borrower.
     * @param debt Its debt.
     * @param amount The repayment asked for.
     */
    error LendingPoolRepayExceedsDebt(address account, uint256 debt, uint256 amount);

    /**
     * @notice A reserve withdrawal larger than the reserves.
     * @param available The reserves.
     * @param requested The amount asked for.
     */
    error LendingPoolInsufficientReserves(uint256 available, uint256 requested);

    /**
     * @notice A collateral or reserve factor outside its bounds.
     * @param factor The rejected value (1e18 = 100%).
     * @param maximum The largest accepted value.
     */
    error LendingPoolInvalidFactor(uint256 factor, uint256 maximum);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /**
     * @notice Sets the asset, the rate model, the risk parameters and the roles; called once through the proxy.
     * @param asset_ The ERC-20 lent and borrowed.
     * @param interestRateModel_ The borrow-rate curve.
     * @param collateralFactor_ Share of a deposit that may be borrowed (1e18 = 100%).
     * @param reserveFactor_ Share of interest kept as reserves (1e18 = 100%).
     * @param admin Receives DEFAULT_ADMIN_ROLE (the timelock).
     * @param upgrader Receives UPGRADER_ROLE (the release gate).
     * @param pausers Receive PAUSER_ROLE (the guardian, the emergency pause seal).
     * @param circuitBreaker_ Asked before every transfer out; zero for none.
     */
    function initialize(
        IERC20 asset_,
        IInterestRateModel interestRateModel_,
        uint256 collateralFactor_,
        uint256 reserveFactor_,
        address admin,
        address upgrader,
        address[] calldata pausers,
        ICircuitBreaker circuitBreaker_
    ) external initializer {
        if (address(asset_) == address(0) || address(interestRateModel_) == address(0)) revert LendingPoolZeroAddress();
        if (admin == address(0) || upgrader == address(0)) revert LendingPoolZeroAddress();
        if (collateralFactor_ > MAX_COLLATERAL_FACTOR) {
            revert LendingPoolInvalidFactor(collateralFactor_, MAX_COLLATERAL_FACTOR);
        }
        if (reserveFactor_ > MAX_RESERVE_FACTOR) revert LendingPoolInvalidFactor(reserveFactor_, MAX_RESERVE_FACTOR);
        __AccessControl_init();
        __Pausable_init();
        __PartialPausable_init();

        LendingPoolStorage storage $ = _getLendingPoolStorage();
        $._asset = asset_;
        $._interestRateModel = interestRateModel_;
        $._collateralFactor = collateralFactor_;
        $._reserveFactor = reserveFactor_;
        $._supplyIndex = 1e18;
        $._borrowIndex = 1e18;
        $._lastAccrualTimestamp = block.timestamp;
        $._circuitBreaker = circuitBreaker_;

        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(UPGRADER_ROLE, upgrader);
        for (uint256 i = 0; i < pausers.length; ++i) {
            if (pausers[i] == address(0)) revert LendingPoolZeroAddress();
            _grantRole(PAUSER_ROLE, pausers[i]);
        }
    }

    /**
     * @notice Deposits `assets` from the caller (who approved the pool) and credits its deposit.
     * @param assets Amount to deposit.
     */
    function deposit(uint256 assets) external virtual whenNotPaused whenNotLockedDown(address(_getLendingPoolStorage()._asset)) {
        if (assets == 0) revert LendingPoolZeroAmount();
        accrueInterest();
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        uint256 scaledAmount = assets * 1e18 / $._supplyIndex;
        if (scaledAmount == 0) revert LendingPoolZeroAmount();
        $._scaledDeposits[msg.sender] += scaledAmount;
        $._totalScaledDeposits += scaledAmount;
        emit Deposited(msg.sender, assets, scaledAmount);
        $._asset.safeTransferFrom(msg.sender, address(this), assets);
    }

    /**
     * @notice Sends `assets` of the caller's deposit back to it, as long as its remaining deposit
     * still covers its debt.
     * @dev VULNERABLE (see the contract notes): the transfer happens before the balance is written,
     * and the balance written is the one read before the transfer.
     * @param assets Amount to withdraw.
     */
    function withdraw(uint256 assets) external virtual whenNotPaused whenNotLockedDown(address(_getLendingPoolStorage()._asset)) {
        if (assets == 0) revert LendingPoolZeroAmount();
        accrueInterest();
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        uint256 accountScaled = $._scaledDeposits[msg.sender];
        uint256 scaledAmount = Math.mulDiv(assets, 1e18, $._supplyIndex, Math.Rounding.Ceil);
        if (scaledAmount > accountScaled) {
            revert LendingPoolInsufficientDeposit(msg.sender, accountScaled * $._supplyIndex / 1e18, assets);
        }
        _checkBorrowLimit(msg.sender, accountScaled - scaledAmount, _borrowBalance($, msg.sender));
        if (!_outflowAllowed($, assets)) return;

        $._asset.safeTransfer(msg.sender, assets);

        $._scaledDeposits[msg.sender] = accountScaled - scaledAmount;
        $._totalScaledDeposits -= scaledAmount;
        emit Withdrawn(msg.sender, assets, scaledAmount);
    }

    /**
     * @notice Lends `assets` to the caller against its own deposit.
     * @param assets Amount to borrow.
     */
    function borrow(uint256 assets) external virtual whenNotPaused whenNotLockedDown(address(_getLendingPoolStorage()._asset)) {
        if (assets == 0) revert LendingPoolZeroAmount();
        accrueInterest();
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        uint256 available = $._asset.balanceOf(address(this));
        if (assets > available) revert LendingPoolInsufficientCash(available, assets);
        uint256 debt = _borrowBalance($, msg.sender) + assets;
        _checkBorrowLimit(msg.sender, $._scaledDeposits[msg.sender], debt);
        if (!_outflowAllowed($, assets)) return;

        $._borrows[msg.sender] = BorrowSnapshot({principal: debt, interestIndex: $._borrowIndex});
        $._totalBorrows += assets;
        emit Borrowed(msg.sender, assets, debt);
        $._asset.safeTransfer(msg.sender, assets);
    }

    /**
     * @notice Repays `assets` of `account`'s debt from the caller; `type(uint256).max` repays it all.
     * Allowed while paused, since it only lowers the pool's risk.
     * @param account The borrower.
     * @param assets Amount to repay.
     */
    function repay(address account, uint256 assets) external virtual {
        if (assets == 0) revert LendingPoolZeroAmount();
        accrueInterest();
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        uint256 debt = _borrowBalance($, account);
        uint256 amount = assets == type(uint256).max ? debt : assets;
        if (amount > debt) revert LendingPoolRepayExceedsDebt(account, debt, amount);
        if (amount == 0) revert LendingPoolZeroAmount();

        $._borrows[account] = BorrowSnapshot({principal: debt - amount, interestIndex: $._borrowIndex});
        // Per-account debts round up against the sum, so the last repayment may exceed the total by a few wei.
        $._totalBorrows = amount > $._totalBorrows ? 0 : $._totalBorrows - amount;
        emit Repaid(msg.sender, account, amount, debt - amount);
        $._asset.safeTransferFrom(msg.sender, address(this), amount);
    }

    /**
     * @notice Brings borrows, reserves and both indexes up to the current block. Anyone may call it.
     */
    function accrueInterest() public virtual {
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        uint256 elapsed = block.timestamp - $._lastAccrualTimestamp;
        if (elapsed == 0) return;
        $._lastAccrualTimestamp = block.timestamp;
        if ($._totalBorrows == 0) return;

        uint256 ratePerSecond = $._interestRateModel.getBorrowRate(
            $._asset.balanceOf(address(this)), $._totalBorrows, $._totalReserves
        );
        uint256 interestFactor = ratePerSecond * elapsed;
        uint256 interest = $._totalBorrows * interestFactor / 1e18;
        uint256 reservesAdded = interest * $._reserveFactor / 1e18;

        $._totalBorrows += interest;
        $._totalReserves += reservesAdded;
        $._borrowIndex += $._borrowIndex * interestFactor / 1e18;
        if ($._totalScaledDeposits > 0) {
            $._supplyIndex += (interest - reservesAdded) * 1e18 / $._totalScaledDeposits;
        }
        emit InterestAccrued(interest, reservesAdded, $._borrowIndex, $._supplyIndex);
    }

    /**
     * @notice Sends `amount` of the reserves to `to`. DEFAULT_ADMIN_ROLE only.
     * @param to The recipient.
     * @param amount Amount to send.
     */
    function withdrawReserves(address to, uint256 amount) external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        accrueInterest();
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        if (amount > $._totalReserves) revert LendingPoolInsufficientReserves($._totalReserves, amount);
        if (!_outflowAllowed($, amount)) return;
        $._totalReserves -= amount;
        emit ReservesWithdrawn(to, amount);
        $._asset.safeTransfer(to, amount);
    }

    /**
     * @notice Switches to another interest rate model, after accruing at the old one. DEFAULT_ADMIN_ROLE only.
     * @param newModel The new model.
     */
    function setInterestRateModel(IInterestRateModel newModel) external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(newModel) == address(0)) revert LendingPoolZeroAddress();
        accrueInterest();
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        address previousModel = address($._interestRateModel);
        $._interestRateModel = newModel;
        emit InterestRateModelChanged(previousModel, address(newModel));
    }

    /// @notice Stops deposits, withdrawals and borrows. PAUSER_ROLE (the guardian) only.
    function pause() external virtual onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /**
     * @notice Pauses deposits, withdrawals and borrows for `duration` seconds; the pool resumes by itself.
     * PAUSER_ROLE only (what the emergency pause seal calls).
     * @param duration Seconds the pause lasts.
     */
    function pauseFor(uint256 duration) external virtual onlyRole(PAUSER_ROLE) {
        _pauseFor(duration);
    }

    /// @inheritdoc IPausableUntil
    function pausedUntil() public view virtual override(IPausableUntil, PartialPausableUpgradeable) returns (uint256) {
        return super.pausedUntil();
    }

    /// @notice Ends a running timed pause now. DEFAULT_ADMIN_ROLE only.
    function liftTimedPause() external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        _liftTimedPause();
    }

    /**
     * @notice Stops one function (deposit, withdraw or borrow) and leaves the others running. PAUSER_ROLE only.
     * @param selector The function's selector.
     */
    function pauseSelector(bytes4 selector) external virtual onlyRole(PAUSER_ROLE) {
        _setSelectorPaused(selector, true);
    }

    /**
     * @notice Resumes one function. DEFAULT_ADMIN_ROLE only.
     * @param selector The function's selector.
     */
    function unpauseSelector(bytes4 selector) external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSelectorPaused(selector, false);
    }

    /**
     * @notice Stops every operation that moves `asset_` into or out of the pool, repayments excepted. PAUSER_ROLE only.
     * @param asset_ The asset.
     */
    function pauseAsset(address asset_) external virtual onlyRole(PAUSER_ROLE) {
        _setAssetPaused(asset_, true);
    }

    /**
     * @notice Resumes operations moving `asset_`. DEFAULT_ADMIN_ROLE only.
     * @param asset_ The asset.
     */
    function unpauseAsset(address asset_) external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        _setAssetPaused(asset_, false);
    }

    /**
     * @notice Switches to another circuit breaker (zero for none). DEFAULT_ADMIN_ROLE only.
     * @param newBreaker The breaker.
     */
    function setCircuitBreaker(ICircuitBreaker newBreaker) external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        address previousBreaker = address($._circuitBreaker);
        $._circuitBreaker = newBreaker;
        emit CircuitBreakerChanged(previousBreaker, address(newBreaker));
    }

    /// @notice The circuit breaker asked before every transfer out.
    /// @return The breaker (zero: none).
    function circuitBreaker() external view virtual returns (ICircuitBreaker) {
        return _getLendingPoolStorage()._circuitBreaker;
    }

    /// @notice Resumes the pool. DEFAULT_ADMIN_ROLE only: the guardian can contain, not release.
    function unpause() external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /**
     * @notice The implementation's version, to tell releases apart on chain.
     * @return The version string.
     */
    function version() external pure virtual returns (string memory) {
        return "1";
    }

    /// @notice The ERC-20 lent and borrowed.
    /// @return The asset.
    function asset() external view virtual returns (IERC20) {
        return _getLendingPoolStorage()._asset;
    }

    /// @notice The borrow-rate curve.
    /// @return The model.
    function interestRateModel() external view virtual returns (IInterestRateModel) {
        return _getLendingPoolStorage()._interestRateModel;
    }

    /// @notice Share of a deposit that may be borrowed (1e18 = 100%).
    /// @return The collateral factor.
    function collateralFactor() external view virtual returns (uint256) {
        return _getLendingPoolStorage()._collateralFactor;
    }

    /// @notice Share of interest kept as reserves (1e18 = 100%).
    /// @return The reserve factor.
    function reserveFactor() external view virtual returns (uint256) {
        return _getLendingPoolStorage()._reserveFactor;
    }

    /**
     * @notice `account`'s deposit in assets, as of the last accrual.
     * @param account The depositor.
     * @return The deposit.
     */
    function depositBalanceOf(address account) external view virtual returns (uint256) {
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        return $._scaledDeposits[account] * $._supplyIndex / 1e18;
    }

    /**
     * @notice `account`'s debt, as of the last accrual.
     * @param account The borrower.
     * @return The debt.
     */
    function borrowBalanceOf(address account) external view virtual returns (uint256) {
        return _borrowBalance(_getLendingPoolStorage(), account);
    }

    /// @notice All deposits in assets, as of the last accrual.
    /// @return The total.
    function totalDeposits() external view virtual returns (uint256) {
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        return $._totalScaledDeposits * $._supplyIndex / 1e18;
    }

    /// @notice All borrows with accrued interest, as of the last accrual.
    /// @return The total.
    function totalBorrows() external view virtual returns (uint256) {
        return _getLendingPoolStorage()._totalBorrows;
    }

    /// @notice The protocol's reserves.
    /// @return The reserves.
    function totalReserves() external view virtual returns (uint256) {
        return _getLendingPoolStorage()._totalReserves;
    }

    /// @notice Assets scaled by 1e18 per deposit unit; grows with the lenders' interest.
    /// @return The supply index.
    function supplyIndex() external view virtual returns (uint256) {
        return _getLendingPoolStorage()._supplyIndex;
    }

    /// @notice Debt scaled by 1e18 per unit borrowed at the start; grows with the borrow rate.
    /// @return The borrow index.
    function borrowIndex() external view virtual returns (uint256) {
        return _getLendingPoolStorage()._borrowIndex;
    }

    /// @notice When interest last accrued.
    /// @return The block timestamp.
    function lastAccrualTimestamp() external view virtual returns (uint256) {
        return _getLendingPoolStorage()._lastAccrualTimestamp;
    }

    /**
     * @dev Asks the circuit breaker whether `amount` may leave. On false the breaker has just tripped:
     * the caller returns without moving anything or touching the books, so the trip is kept.
     */
    function _outflowAllowed(LendingPoolStorage storage $, uint256 amount) internal virtual returns (bool) {
        ICircuitBreaker breaker = $._circuitBreaker;
        if (address(breaker) == address(0) || breaker.onOutflow(address($._asset), amount)) return true;
        emit OutflowRefused(msg.sender, msg.sig, amount);
        return false;
    }

    /// @dev Upgrades are UPGRADER_ROLE's (the release gate's) alone.
    function _authorizeUpgrade(address) internal virtual override onlyRole(UPGRADER_ROLE) {}

    /// @dev Reverts when `debt` exceeds what a deposit of `scaledDeposit` units allows.
    function _checkBorrowLimit(address account, uint256 scaledDeposit, uint256 debt) internal view virtual {
        if (debt == 0) return;
        LendingPoolStorage storage $ = _getLendingPoolStorage();
        uint256 borrowLimit = scaledDeposit * $._supplyIndex / 1e18 * $._collateralFactor / 1e18;
        if (debt > borrowLimit) revert LendingPoolInsufficientCollateral(account, borrowLimit, debt);
    }

    /// @dev The debt grows with the borrow index since the account's last snapshot; rounded up against the borrower.
    function _borrowBalance(LendingPoolStorage storage $, address account) internal view virtual returns (uint256) {
        BorrowSnapshot storage snapshot = $._borrows[account];
        if (snapshot.principal == 0) return 0;
        return Math.mulDiv(snapshot.principal, $._borrowIndex, snapshot.interestIndex, Math.Rounding.Ceil);
    }

    function _getLendingPoolStorage() private pure returns (LendingPoolStorage storage $) {
        assembly {
            $.slot := LENDING_POOL_STORAGE_LOCATION
        }
    }
}

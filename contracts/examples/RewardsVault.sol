// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/**
 * @title RewardsVault
 * @notice Liquidity-mining program for one staking asset: stakers earn `rewardRate` reward tokens per
 * second, shared pro rata to their stake (the Synthetix StakingRewards accumulator).
 * @dev One instance per staking asset, each a BeaconProxy of one UpgradeableBeacon owned by the
 * timelock, so a single beacon upgrade patches every program at once. Owner (rate changes, unpause)
 * is the timelock; the guardian may pause staking and claims.
 */
contract RewardsVault is Initializable, OwnableUpgradeable, PausableUpgradeable {
    using SafeERC20 for IERC20;

    /// @custom:storage-location erc7201:bulwark.demo.RewardsVault
    struct RewardsVaultStorage {
        IERC20 _stakingToken;
        IERC20 _rewardToken;
        address _guardian;
        uint256 _rewardRate;
        uint256 _lastUpdateTimestamp;
        uint256 _rewardPerTokenStored;
        uint256 _totalStaked;
        mapping(address account => uint256) _stakes;
        mapping(address account => uint256) _rewardPerTokenPaid;
        mapping(address account => uint256) _rewards;
    }

    // keccak256(abi.encode(uint256(keccak256("bulwark.demo.RewardsVault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REWARDS_VAULT_STORAGE_LOCATION =
        0x909eb65ef0eba705c31428bd8f02e2fc8bc4ff42f25a0fb29576f4a7e1653600;

    /**
     * @notice Emitted when `account` staked `amount`.
     * @param account The staker.
     * @param amount Amount staked.
     */
    event Staked(address indexed account, uint256 amount);

    /**
     * @notice Emitted when `account` took back `amount` of its stake.
     * @param account The staker.
     * @param amount Amount returned.
     */
    event Unstaked(address indexed account, uint256 amount);

    /**
     * @notice Emitted when `account` claimed `amount` of rewards.
     * @param account The staker.
     * @param amount Rewards paid.
     */
    event RewardPaid(address indexed account, uint256 amount);

    /**
     * @notice Emitted when the emission rate changed.
     * @param previousRate The rate until now, reward tokens per second.
     * @param newRate The rate from now on.
     */
    event RewardRateChanged(uint256 previousRate, uint256 newRate);

    /// @notice An amount of zero was given where the operation needs a positive amount.
    error RewardsVaultZeroAmount();

    /// @notice The zero address was given for a token, the owner or the guardian.
    error RewardsVaultZeroAddress();

    /**
     * @notice `account` asked to unstake more than its stake.
     * @param account The staker.
     * @param staked Its stake.
     * @param requested The amount asked for.
     */
    error RewardsVaultInsufficientStake(address account, uint256 staked, uint256 requested);

    /**
     * @notice The vault holds fewer reward tokens than the claim.
     * @param available Reward tokens the vault can pay out.
     * @param owed The claim.
     */
    error RewardsVaultInsufficientRewards(uint256 available, uint256 owed);

    /**
     * @notice `caller` is neither the guardian nor the owner.
     * @param caller The account that tried to pause.
     */
    error RewardsVaultUnauthorizedPauser(address caller);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @dev Credits `account` with everything earned up to now before its stake changes.
    modifier updateReward(address account) {
        RewardsVaultStorage storage $ = _getRewardsVaultStorage();
        $._rewardPerTokenStored = rewardPerToken();
        $._lastUpdateTimestamp = block.timestamp;
        if (account != address(0)) {
            $._rewards[account] = earned(account);
            $._rewardPerTokenPaid[account] = $._rewardPerTokenStored;
        }
        _;
    }

    /**
     * @notice Sets the program up; called once through the beacon proxy.
     * @param stakingToken_ The asset staked.
     * @param rewardToken_ The token paid out (may equal the staking asset).
     * @param initialOwner The timelock.
     * @param guardian_ May pause.
     * @param rewardRate_ Reward tokens emitted per second.
     */
    function initialize(
        IERC20 stakingToken_,
        IERC20 rewardToken_,
        address initialOwner,
        address guardian_,
        uint256 rewardRate_
    ) external initializer {
        if (address(stakingToken_) == address(0) || address(rewardToken_) == address(0) || guardian_ == address(0)) {
            revert RewardsVaultZeroAddress();
        }
        __Ownable_init(initialOwner);
        __Pausable_init();
        RewardsVaultStorage storage $ = _getRewardsVaultStorage();
        $._stakingToken = stakingToken_;
        $._rewardToken = rewardToken_;
        $._guardian = guardian_;
        $._rewardRate = rewardRate_;
        $._lastUpdateTimestamp = block.timestamp;
        emit RewardRateChanged(0, rewardRate_);
    }

    /**
     * @notice Stakes `amount` from the caller (who approved the vault).
     * @param amount Amount to stake.
     */
    function stake(uint256 amount) external virtual whenNotPaused updateReward(msg.sender) {
        if (amount == 0) revert RewardsVaultZeroAmount();
        RewardsVaultStorage storage $ = _getRewardsVaultStorage();
        $._stakes[msg.sender] += amount;
        $._totalStaked += amount;
        emit Staked(msg.sender, amount);
        $._stakingToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /**
     * @notice Returns `amount` of the caller's stake. Allowed while paused: stakers can always leave.
     * @param amount Amount to unstake.
     */
    function unstake(uint256 amount) external virtual updateReward(msg.sender) {
        if (amount == 0) revert RewardsVaultZeroAmount();
        RewardsVaultStorage storage $ = _getRewardsVaultStorage();
        uint256 staked = $._stakes[msg.sender];
        if (amount > staked) revert RewardsVaultInsufficientStake(msg.sender, staked, amount);
        $._stakes[msg.sender] = staked - amount;
        $._totalStaked -= amount;
        emit Unstaked(msg.sender, amount);
        $._stakingToken.safeTransfer(msg.sender, amount);
    }

    /// @notice Pays the caller everything it earned so far.
    function claimReward() external virtual whenNotPaused updateReward(msg.sender) {
        RewardsVaultStorage storage $ = _getRewardsVaultStorage();
        uint256 owed = $._rewards[msg.sender];
        if (owed == 0) revert RewardsVaultZeroAmount();
        uint256 available = rewardsAvailable();
        if (owed > available) revert RewardsVaultInsufficientRewards(available, owed);
        $._rewards[msg.sender] = 0;
        emit RewardPaid(msg.sender, owed);
        $._rewardToken.safeTransfer(msg.sender, owed);
    }

    /**
     * @notice Changes the emission rate from now on. Owner (the timelock) only.
     * @param newRate Reward tokens per second.
     */
    function setRewardRate(uint256 newRate) external virtual onlyOwner updateReward(address(0)) {
        RewardsVaultStorage storage $ = _getRewardsVaultStorage();
        uint256 previousRate = $._rewardRate;
        $._rewardRate = newRate;
        emit RewardRateChanged(previousRate, newRate);
    }

    /// @notice Stops staking and claims. The guardian or the owner.
    function pause() external virtual {
        if (msg.sender != _getRewardsVaultStorage()._guardian && msg.sender != owner()) {
            revert RewardsVaultUnauthorizedPauser(msg.sender);
        }
        _pause();
    }

    /// @notice Resumes the program. Owner (the timelock) only.
    function unpause() external virtual onlyOwner {
        _unpause();
    }

    /**
     * @notice Rewards accumulated per staked token since the start, scaled by 1e18.
     * @return The accumulator.
     */
    function rewardPerToken() public view virtual returns (uint256) {
        RewardsVaultStorage storage $ = _getRewardsVaultStorage();
        if ($._totalStaked == 0) return $._rewardPerTokenStored;
        uint256 elapsed = block.timestamp - $._lastUpdateTimestamp;
        return $._rewardPerTokenStored + elapsed * $._rewardRate * 1e18 / $._totalStaked;
    }

    /**
     * @notice Rewards `account` may claim now.
     * @param account The staker.
     * @return The claimable amount.
     */
    function earned(address account) public view virtual returns (uint256) {
        RewardsVaultStorage storage $ = _getRewardsVaultStorage();
        uint256 accrued = $._stakes[account] * (rewardPerToken() - $._rewardPerTokenPaid[account]) / 1e18;
        return $._rewards[account] + accrued;
    }

    /**
     * @notice Reward tokens the vault can pay out: its balance, less the stakes when both tokens are the same.
     * @return The amount.
     */
    function rewardsAvailable() public view virtual returns (uint256) {
        RewardsVaultStorage storage $ = _getRewardsVaultStorage();
        uint256 balance = $._rewardToken.balanceOf(address(this));
        if ($._rewardToken != $._stakingToken) return balance;
        return balance > $._totalStaked ? balance - $._totalStaked : 0;
    }

    /**
     * @notice `account`'s stake.
     * @param account The staker.
     * @return The stake.
     */
    function stakedBalanceOf(address account) external view virtual returns (uint256) {
        return _getRewardsVaultStorage()._stakes[account];
    }

    /// @notice All stakes.
    /// @return The total.
    function totalStaked() external view virtual returns (uint256) {
        return _getRewardsVaultStorage()._totalStaked;
    }

    /// @notice The asset staked.
    /// @return The token.
    function stakingToken() external view virtual returns (IERC20) {
        return _getRewardsVaultStorage()._stakingToken;
    }

    /// @notice The token paid out.
    /// @return The token.
    function rewardToken() external view virtual returns (IERC20) {
        return _getRewardsVaultStorage()._rewardToken;
    }

    /// @notice Reward tokens emitted per second.
    /// @return The rate.
    function rewardRate() external view virtual returns (uint256) {
        return _getRewardsVaultStorage()._rewardRate;
    }

    /// @notice The account allowed to pause besides the owner.
    /// @return The guardian.
    function guardian() external view virtual returns (address) {
        return _getRewardsVaultStorage()._guardian;
    }

    function _getRewardsVaultStorage() private pure returns (RewardsVaultStorage storage $) {
        assembly {
            $.slot := REWARDS_VAULT_STORAGE_LOCATION
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ProxyAdmin} from "@openzeppelin/contracts/proxy/transparent/ProxyAdmin.sol";
import {ITransparentUpgradeableProxy} from "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
import {UpgradeableBeacon} from "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol";
import {IDiamondCut} from "./interfaces/IDiamondCut.sol";
import {IReleaseGate} from "./interfaces/IReleaseGate.sol";

/// @notice The upgrade entry point of a UUPS proxy (OpenZeppelin's UUPSUpgradeable).
interface IUUPSProxy {
    /// @notice Points the proxy at `newImplementation` and calls it with `data` when non-empty.
    /// @param newImplementation The new implementation.
    /// @param data Initializer calldata, or empty.
    function upgradeToAndCall(address newImplementation, bytes calldata data) external payable;
}

/**
 * @title ReleaseGate
 * @notice The upgrade authority of a protocol's proxies: it upgrades only to implementations whose
 * codehash was approved for a patch, and only with k-of-n auditor attestations over that approval.
 * @dev The proxies name the gate as their upgrade authority (UUPS: it holds the upgrade role;
 * Transparent: it owns the ProxyAdmin; Beacon: it owns the beacon). The gate is administered by the
 * protocol's timelock or security council (DEFAULT_ADMIN_ROLE: auditors, threshold, hand-over) and
 * driven by RELEASER_ROLE holders (timelocks), in two calls normally batched in one timelock
 * operation:
 *
 * 1. {approvePatch}: records the patch id, the validation report hash, the approved codehashes (one
 *    per upgrade, in order) and the attestations: EIP-712 signatures by at least `threshold` distinct
 *    registered auditors over (patch id, report hash, codehashes, chain id), bound to this gate by the
 *    EIP-712 domain.
 * 2. {release}: runs the upgrades atomically, all or none, checking each new implementation's
 *    codehash against the approved one right before its upgrade. A patch releases once.
 *
 * A diamond (EIP-2535) is released the same way with {releaseDiamondCut} instead of step 2: the patch's
 * approved codehashes are the runtime codehashes of the facets and the init contract the cut may
 * route to, followed by one last entry, the cut hash ({diamondCutHash}: the diamond, the exact
 * selector map, the init address and its calldata). The auditors' attestation over the codehashes
 * thus covers the selector map; the digest they sign is unchanged. Only a cut whose hash is that last
 * entry runs, and only when every facet and the init hold approved code.
 *
 * Like MakerDAO's DSPause `tag` (the codehash a plan must match), the binding is to code, not to an
 * address: whatever sits at the address at release time must be the code that was validated.
 * The events ({PatchApproved}, {UpgradeReleased}, {PatchReleased}) carry everything needed to
 * recompute the attestation digest, recover the auditors and compare the codehashes.
 */
contract ReleaseGate is AccessControl, EIP712, IReleaseGate {
    /// @notice May approve and release patches (the timelocks).
    bytes32 public constant RELEASER_ROLE = keccak256("RELEASER_ROLE");

    /// @notice The EIP-712 type auditors sign.
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("ReleaseAttestation(bytes32 patchId,bytes32 reportHash,bytes32[] codehashes,uint256 chainId)");

    /// @notice Domain of a diamond cut's hash, so it never equals the hash of anything else the gate reads.
    bytes32 public constant DIAMOND_CUT_TYPEHASH =
        keccak256("DiamondCut(address diamond,bytes32 cutsHash,address init,bytes32 initDataHash)");

    /// @notice Most auditors the registry holds (one bit each when checking for duplicates).
    uint256 public constant MAX_AUDITORS = 256;

    /**
     * @notice What the gate records of a patch.
     * @param reportHash The validation report hash the auditors signed.
     * @param approvedAt When it was approved (0: unknown patch).
     * @param releasedAt When it was released (0: not yet).
     * @param codehashes The approved runtime codehashes, one per upgrade, in release order.
     * @param auditors The auditors whose attestations were accepted, in the order given.
     */
    struct Patch {
        bytes32 reportHash;
        uint64 approvedAt;
        uint64 releasedAt;
        bytes32[] codehashes;
        address[] auditors;
    }

    mapping(bytes32 patchId => Patch) private _patches;
    // 1-based position in `_auditors`; 0 means not an auditor.
    mapping(address auditor => uint256) private _auditorPosition;
    address[] private _auditors;
    uint256 private _threshold;

    /**
     * @notice Emitted when a patch was approved with enough attestations.
     * @param patchId The patch.
     * @param reportHash The validation report hash.
     * @param codehashes The approved codehashes, in release order.
     * @param auditors The auditors who attested, in the order given.
     * @param signatures Their EIP-712 signatures, in the same order.
     */
    event PatchApproved(
        bytes32 indexed patchId, bytes32 reportHash, bytes32[] codehashes, address[] auditors, bytes[] signatures
    );

    /**
     * @notice Emitted for each upgrade of a release, right after it.
     * @param patchId The patch.
     * @param proxy The proxy, or the beacon for a beacon upgrade.
     * @param kind How it was upgraded.
     * @param implementation The new implementation.
     * @param codehash Its runtime codehash (equal to the approved one).
     * @param dataHash keccak256 of the initializer calldata (keccak256("") for none).
     */
    event UpgradeReleased(
        bytes32 indexed patchId,
        address indexed proxy,
        UpgradeKind kind,
        address implementation,
        bytes32 codehash,
        bytes32 dataHash
    );

    /**
     * @notice Emitted when a diamond cut of a patch was made, right after it.
     * @param patchId The patch.
     * @param diamond The diamond.
     * @param cutHash The cut's {diamondCutHash} (equal to the approved one).
     * @param init The init contract delegatecalled, or zero.
     * @param initDataHash keccak256 of the init calldata.
     */
    event DiamondCutReleased(bytes32 indexed patchId, address indexed diamond, bytes32 cutHash, address init, bytes32 initDataHash);

    /**
     * @notice Emitted when every upgrade of a patch was done.
     * @param patchId The patch.
     * @param reportHash Its validation report hash.
     * @param upgradeCount How many upgrades the release ran.
     */
    event PatchReleased(bytes32 indexed patchId, bytes32 reportHash, uint256 upgradeCount);

    /**
     * @notice Emitted when an auditor key was added to the registry.
     * @param auditor The key.
     */
    event AuditorAdded(address indexed auditor);

    /**
     * @notice Emitted when an auditor key was removed from the registry.
     * @param auditor The key.
     */
    event AuditorRemoved(address indexed auditor);

    /**
     * @notice Emitted when the number of attestations a patch needs changed.
     * @param previousThreshold The old number.
     * @param newThreshold The new number.
     */
    event ThresholdChanged(uint256 previousThreshold, uint256 newThreshold);

    /**
     * @notice Emitted when the gate passed ownership of a ProxyAdmin or beacon to another account.
     * @param ownable The ProxyAdmin or beacon.
     * @param newOwner Its new owner.
     */
    event AuthorityHandedOver(address indexed ownable, address indexed newOwner);

    /**
     * @notice No patch with this id was approved.
     * @param patchId The patch.
     */
    error ReleaseGateUnknownPatch(bytes32 patchId);

    /**
     * @notice The patch id was approved or released already; an id is used once.
     * @param patchId The patch.
     */
    error ReleaseGatePatchReplayed(bytes32 patchId);

    /**
     * @notice A new implementation's runtime codehash differs from the approved one.
     * @param proxy The proxy (or beacon) being upgraded.
     * @param expected The approved codehash.
     * @param actual The codehash found at the implementation address.
     */
    error ReleaseGateCodehashMismatch(address proxy, bytes32 expected, bytes32 actual);

    /**
     * @notice A signature recovered to a key that is not a registered auditor.
     * @param signer The recovered key.
     */
    error ReleaseGateUnknownAuditor(address signer);

    /**
     * @notice Two attestations from the same auditor.
     * @param auditor The auditor.
     */
    error ReleaseGateDuplicateAttestation(address auditor);

    /**
     * @notice Fewer valid attestations than the threshold.
     * @param count Attestations given.
     * @param threshold Attestations needed.
     */
    error ReleaseGateInsufficientAttestations(uint256 count, uint256 threshold);

    /**
     * @notice A signature that is not a valid ECDSA signature at all (wrong length, bad s or v).
     * @param index Its position in the list.
     */
    error ReleaseGateInvalidSignature(uint256 index);

    /**
     * @notice The release lists a different number of upgrades than the patch approved codehashes.
     * @param patchId The patch.
     * @param expected Approved codehashes.
     * @param actual Upgrades given.
     */
    error ReleaseGateUpgradeCountMismatch(bytes32 patchId, uint256 expected, uint256 actual);

    /**
     * @notice A diamond cut whose hash (diamond, selector map, init, calldata) is not the one the patch approved.
     * @param patchId The patch.
     * @param expected The approved cut hash (the patch's last codehash).
     * @param actual The hash of the cut given.
     */
    error ReleaseGateDiamondCutMismatch(bytes32 patchId, bytes32 expected, bytes32 actual);

    /**
     * @notice A facet or init contract of a diamond cut whose runtime codehash the patch did not approve.
     * @param account The facet or init contract.
     * @param codehash The codehash found at it.
     */
    error ReleaseGateCodeNotApproved(address account, bytes32 codehash);

    /// @notice A patch approval without codehashes.
    error ReleaseGateEmptyPatch();

    /**
     * @notice A beacon upgrade with initializer calldata: a beacon has no single proxy to call.
     * @param beacon The beacon.
     */
    error ReleaseGateBeaconCallUnsupported(address beacon);

    /**
     * @notice A threshold of zero or above the number of auditors.
     * @param threshold The rejected threshold.
     * @param auditorCount Registered auditors.
     */
    error ReleaseGateInvalidThreshold(uint256 threshold, uint256 auditorCount);

    /**
     * @notice An auditor key that is zero, already registered (add), not registered (remove), or one too many.
     * @param auditor The key.
     */
    error ReleaseGateInvalidAuditor(address auditor);

    /**
     * @notice Sets the administrator, the releasers, the auditor registry and the threshold.
     * @param admin Receives DEFAULT_ADMIN_ROLE (the timelock or security council).
     * @param releasers Receive RELEASER_ROLE.
     * @param initialAuditors The auditor keys.
     * @param initialThreshold Attestations a patch needs (1 to the number of auditors).
     */
    constructor(address admin, address[] memory releasers, address[] memory initialAuditors, uint256 initialThreshold)
        EIP712("Bulwark ReleaseGate", "1")
    {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        for (uint256 i = 0; i < releasers.length; ++i) {
            _grantRole(RELEASER_ROLE, releasers[i]);
        }
        for (uint256 i = 0; i < initialAuditors.length; ++i) {
            _addAuditor(initialAuditors[i]);
        }
        _setThreshold(initialThreshold);
    }

    /**
     * @notice Approves a patch: records its report hash, its codehashes and the auditors' attestations.
     * RELEASER_ROLE only.
     * @param patchId The patch's id (never used before).
     * @param reportHash The validation report hash.
     * @param codehashes The runtime codehashes of the new implementations, one per upgrade, in release order.
     * @param signatures EIP-712 `ReleaseAttestation` signatures by distinct registered auditors, at least `threshold`.
     */
    function approvePatch(bytes32 patchId, bytes32 reportHash, bytes32[] calldata codehashes, bytes[] calldata signatures)
        external
        virtual
        onlyRole(RELEASER_ROLE)
    {
        Patch storage patch = _patches[patchId];
        if (patch.approvedAt != 0) revert ReleaseGatePatchReplayed(patchId);
        if (codehashes.length == 0) revert ReleaseGateEmptyPatch();

        bytes32 digest = attestationDigest(patchId, reportHash, codehashes);
        address[] memory attesters = new address[](signatures.length);
        uint256 seen;
        for (uint256 i = 0; i < signatures.length; ++i) {
            (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, signatures[i]);
            if (error != ECDSA.RecoverError.NoError) revert ReleaseGateInvalidSignature(i);
            uint256 position = _auditorPosition[signer];
            if (position == 0) revert ReleaseGateUnknownAuditor(signer);
            // position is 1 to MAX_AUDITORS, so the shift stays within 256 bits.
            uint256 bit = 1 << (position - 1);
            if (seen & bit != 0) revert ReleaseGateDuplicateAttestation(signer);
            seen |= bit;
            attesters[i] = signer;
        }
        if (signatures.length < _threshold) revert ReleaseGateInsufficientAttestations(signatures.length, _threshold);

        patch.reportHash = reportHash;
        patch.approvedAt = uint64(block.timestamp);
        patch.codehashes = codehashes;
        patch.auditors = attesters;
        emit PatchApproved(patchId, reportHash, codehashes, attesters, signatures);
    }

    /**
     * @notice Runs the upgrades of an approved patch, all or none. RELEASER_ROLE only.
     * @dev Each implementation's codehash is compared with the approved one right before its upgrade,
     * so an initializer cannot swap the code of a later one unnoticed.
     * @param patchId The approved, not yet released patch.
     * @param upgrades The upgrades, one per approved codehash, in the same order.
     */
    function release(bytes32 patchId, Upgrade[] calldata upgrades) external virtual onlyRole(RELEASER_ROLE) {
        Patch storage patch = _patches[patchId];
        if (patch.approvedAt == 0) revert ReleaseGateUnknownPatch(patchId);
        if (patch.releasedAt != 0) revert ReleaseGatePatchReplayed(patchId);
        uint256 count = patch.codehashes.length;
        if (upgrades.length != count) revert ReleaseGateUpgradeCountMismatch(patchId, count, upgrades.length);
        patch.releasedAt = uint64(block.timestamp);

        for (uint256 i = 0; i < count; ++i) {
            Upgrade calldata upgrade = upgrades[i];
            bytes32 expected = patch.codehashes[i];
            bytes32 actual = upgrade.implementation.codehash;
            if (actual != expected) revert ReleaseGateCodehashMismatch(upgrade.proxy, expected, actual);
            _upgrade(upgrade);
            emit UpgradeReleased(patchId, upgrade.proxy, upgrade.kind, upgrade.implementation, actual, keccak256(upgrade.data));
        }
        emit PatchReleased(patchId, patch.reportHash, count);
    }

    /**
     * @notice Makes the diamond cut of an approved patch, once. RELEASER_ROLE only; the gate must own the diamond.
     * @dev The cut's hash must be the patch's last approved codehash, and every facet the cut routes to
     * (and the init contract) must hold code whose codehash is among the others, checked right before the cut.
     * @param patchId The approved, not yet released patch.
     * @param diamond The diamond.
     * @param cuts The facet cuts: the exact selector map the auditors attested.
     * @param init The init contract delegatecalled after the cut, or zero.
     * @param initData Its calldata.
     */
    function releaseDiamondCut(
        bytes32 patchId,
        address diamond,
        IDiamondCut.FacetCut[] calldata cuts,
        address init,
        bytes calldata initData
    ) external virtual onlyRole(RELEASER_ROLE) {
        Patch storage patch = _patches[patchId];
        if (patch.approvedAt == 0) revert ReleaseGateUnknownPatch(patchId);
        if (patch.releasedAt != 0) revert ReleaseGatePatchReplayed(patchId);
        // approvePatch refuses an empty list, so count is at least 1.
        uint256 count = patch.codehashes.length;
        bytes32 expected = patch.codehashes[count - 1];
        bytes32 cutHash = diamondCutHash(diamond, cuts, init, initData);
        if (cutHash != expected) revert ReleaseGateDiamondCutMismatch(patchId, expected, cutHash);
        patch.releasedAt = uint64(block.timestamp);

        for (uint256 i = 0; i < cuts.length; ++i) {
            address facet = cuts[i].facetAddress;
            if (facet != address(0)) _requireApprovedCode(patch.codehashes, count - 1, facet);
        }
        if (init != address(0)) _requireApprovedCode(patch.codehashes, count - 1, init);
        IDiamondCut(diamond).diamondCut(cuts, init, initData);
        emit DiamondCutReleased(patchId, diamond, cutHash, init, keccak256(initData));
        emit PatchReleased(patchId, patch.reportHash, cuts.length);
    }

    /**
     * @notice Registers an auditor key. DEFAULT_ADMIN_ROLE only.
     * @param auditor The key.
     */
    function addAuditor(address auditor) external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        _addAuditor(auditor);
    }

    /**
     * @notice Removes an auditor key; the threshold must still be reachable. DEFAULT_ADMIN_ROLE only.
     * @param auditor The key.
     */
    function removeAuditor(address auditor) external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 position = _auditorPosition[auditor];
        if (position == 0) revert ReleaseGateInvalidAuditor(auditor);
        address last = _auditors[_auditors.length - 1];
        _auditors[position - 1] = last;
        _auditorPosition[last] = position;
        _auditors.pop();
        delete _auditorPosition[auditor];
        if (_auditors.length < _threshold) revert ReleaseGateInvalidThreshold(_threshold, _auditors.length);
        emit AuditorRemoved(auditor);
    }

    /**
     * @notice Sets how many attestations a patch needs. DEFAULT_ADMIN_ROLE only.
     * @param newThreshold 1 to the number of auditors.
     */
    function setThreshold(uint256 newThreshold) external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        _setThreshold(newThreshold);
    }

    /**
     * @notice Passes ownership of a ProxyAdmin or beacon the gate owns to `newOwner` (retiring or
     * replacing the gate). DEFAULT_ADMIN_ROLE only.
     * @param ownable The ProxyAdmin or beacon.
     * @param newOwner Its new owner.
     */
    function handOver(address ownable, address newOwner) external virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        Ownable(ownable).transferOwnership(newOwner);
        emit AuthorityHandedOver(ownable, newOwner);
    }

    /**
     * @notice The EIP-712 digest auditors sign for a patch on this gate and chain.
     * @param patchId The patch.
     * @param reportHash The validation report hash.
     * @param codehashes The codehashes, in release order.
     * @return digest The typed-data hash.
     */
    function attestationDigest(bytes32 patchId, bytes32 reportHash, bytes32[] calldata codehashes)
        public
        view
        virtual
        returns (bytes32 digest)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(ATTESTATION_TYPEHASH, patchId, reportHash, keccak256(abi.encodePacked(codehashes)), block.chainid)
            )
        );
    }

    /**
     * @notice The hash a diamond patch approves as its last codehash: the diamond, the exact cuts, the init and its calldata.
     * @param diamond The diamond.
     * @param cuts The facet cuts.
     * @param init The init contract, or zero.
     * @param initData Its calldata.
     * @return cutHash keccak256(abi.encode(DIAMOND_CUT_TYPEHASH, diamond, keccak256(abi.encode(cuts)), init, keccak256(initData))).
     */
    function diamondCutHash(address diamond, IDiamondCut.FacetCut[] calldata cuts, address init, bytes calldata initData)
        public
        pure
        virtual
        returns (bytes32 cutHash)
    {
        return keccak256(abi.encode(DIAMOND_CUT_TYPEHASH, diamond, keccak256(abi.encode(cuts)), init, keccak256(initData)));
    }

    /**
     * @notice What the gate recorded of a patch.
     * @param patchId The patch.
     * @return patch Its report hash, approval and release times, codehashes and auditors (all zero when unknown).
     */
    function patchOf(bytes32 patchId) external view virtual returns (Patch memory patch) {
        return _patches[patchId];
    }

    /// @notice The registered auditor keys.
    /// @return The keys.
    function auditors() external view virtual returns (address[] memory) {
        return _auditors;
    }

    /**
     * @notice Whether `account` is a registered auditor.
     * @param account The key.
     * @return True when registered.
     */
    function isAuditor(address account) external view virtual returns (bool) {
        return _auditorPosition[account] != 0;
    }

    /// @notice How many attestations a patch needs.
    /// @return The threshold.
    function threshold() external view virtual returns (uint256) {
        return _threshold;
    }

    /// @dev Performs one upgrade through the authority its kind names.
    function _upgrade(Upgrade calldata upgrade) internal virtual {
        if (upgrade.kind == UpgradeKind.Uups) {
            IUUPSProxy(upgrade.proxy).upgradeToAndCall(upgrade.implementation, upgrade.data);
        } else if (upgrade.kind == UpgradeKind.Transparent) {
            ProxyAdmin(upgrade.admin).upgradeAndCall(
                ITransparentUpgradeableProxy(upgrade.proxy), upgrade.implementation, upgrade.data
            );
        } else {
            if (upgrade.data.length != 0) revert ReleaseGateBeaconCallUnsupported(upgrade.proxy);
            UpgradeableBeacon(upgrade.proxy).upgradeTo(upgrade.implementation);
        }
    }

    /// @dev Reverts unless `account`'s codehash is one of the first `length` approved codehashes.
    function _requireApprovedCode(bytes32[] storage approved, uint256 length, address account) private view {
        bytes32 actual = account.codehash;
        for (uint256 i = 0; i < length; ++i) {
            if (approved[i] == actual) return;
        }
        revert ReleaseGateCodeNotApproved(account, actual);
    }

    function _addAuditor(address auditor) private {
        if (auditor == address(0) || _auditorPosition[auditor] != 0 || _auditors.length == MAX_AUDITORS) {
            revert ReleaseGateInvalidAuditor(auditor);
        }
        _auditors.push(auditor);
        _auditorPosition[auditor] = _auditors.length;
        emit AuditorAdded(auditor);
    }

    function _setThreshold(uint256 threshold_) private {
        if (threshold_ == 0 || threshold_ > _auditors.length) revert ReleaseGateInvalidThreshold(threshold_, _auditors.length);
        uint256 previous = _threshold;
        _threshold = threshold_;
        emit ThresholdChanged(previous, threshold_);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "oz-contracts-4-7-0/utils/cryptography/ECDSA.sol";
import "oz-contracts-4-7-0/utils/cryptography/SignatureChecker.sol";
import "oz-contracts-4-7-0/utils/introspection/ERC165Checker.sol";

/// @notice Signature-gated claims built on @openzeppelin/contracts 4.7.0 (intel scan fixture).
contract SignatureVault470 {
    address private immutable _signer;
    mapping(bytes32 => bool) private _usedSignatures;

    constructor(address signer_) {
        _signer = signer_;
    }

    /// Marks the signature itself as used: the pattern GHSA-4h98-2769-gh6h breaks with compact signatures.
    function claim(bytes32 digest, bytes calldata signature) external returns (bool) {
        bytes32 key = keccak256(signature);
        require(!_usedSignatures[key], "used");
        require(ECDSA.recover(digest, signature) == _signer, "signer");
        _usedSignatures[key] = true;
        return true;
    }

    function isValid(address signer, bytes32 digest, bytes calldata signature) external view returns (bool) {
        return SignatureChecker.isValidSignatureNow(signer, digest, signature);
    }

    function supportsReceiver(address target) external view returns (bool) {
        return ERC165Checker.supportsInterface(target, 0x150b7a02);
    }
}

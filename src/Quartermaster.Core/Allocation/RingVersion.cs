using System.Diagnostics.CodeAnalysis;

namespace Quartermaster.Core.Allocation;

/// <summary>
/// Which release of the upstream consistent-hashing library (buraksezer/consistent) the ring reproduces.
/// </summary>
/// <remarks>The two versions lay out the ring differently and therefore assign targets differently (spec §4.2).</remarks>
[SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores",
    Justification = "Names mirror the upstream library's version numbers.")]
public enum RingVersion
{
    /// <summary>
    /// Library v0.10.0, shipped by every released upstream allocator (≤ v0.158.0): replica key <c>name + decimal(i)</c>,
    /// average load from integer division. The product default.
    /// </summary>
    V0_10_0 = 0,

    /// <summary>Library v1.0.0 (unreleased upstream main): replica key <c>"{i}:{name}"</c>, floating-point average load.</summary>
    V1_0_0 = 1,
}

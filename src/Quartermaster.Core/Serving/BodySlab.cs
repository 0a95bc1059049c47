namespace Quartermaster.Core.Serving;

/// <summary>
/// A large array holding many stored bodies back to back. Written only at its end, by one <see cref="BodyCursor"/> at a
/// time, so the bytes of published bodies never change.
/// </summary>
internal sealed class BodySlab(int size)
{
    /// <summary>Uninitialized: every byte a body exposes is written before the body is published.</summary>
    public byte[] Array { get; } = GC.AllocateUninitializedArray<byte>(size);

    /// <summary>Bytes written so far, from the start.</summary>
    public int Used { get; set; }

    /// <summary>Bytes of the bodies the newest snapshot still serves from this slab.</summary>
    public long Live { get; set; }

    /// <summary>No longer written nor counted: its live bodies were copied elsewhere; it is freed with the last snapshot using it.</summary>
    public bool Retired { get; set; }

    /// <summary>Every body written here with its (job, collector), released ones included, for moving the live ones.</summary>
    public List<(string Job, string Collector, StoredBody Body)> Bodies { get; } = new(size / 4096);

    public int Free => Array.Length - Used;
}

namespace StreamingApi;

/// <summary>FNV-1a: the same text gives the same number in every process (string.GetHashCode does not).</summary>
public static class StableHash
{
    public static uint Of(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= char.ToLowerInvariant(c);
            hash *= 16777619u;
        }
        return hash;
    }
}

namespace StreamingApi.Limits;

/// <summary>What a caller may spend (section <c>Quotas</c>); see docs/limits.md.</summary>
public sealed class QuotaOptions
{
    /// <summary>
    /// Tokens (input + output + reasoning) a principal's runs may use per UTC day; 0: unlimited. Counted at each run's
    /// end, so the run that crosses the line finishes and the next one is refused.
    /// </summary>
    public long TokensPerDay { get; set; }
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace StreamingApi.Agents.Output;

/// <summary>The structured result of the data-analyst agent.</summary>
public sealed record AnalysisReport
{
    [Description("Two or three sentences that answer the question.")]
    [Required, MinLength(20), MaxLength(2000)]
    public required string Summary { get; init; }

    [Description("Facts found in the data, each one sentence with its figure.")]
    [Required, MinLength(1), MaxLength(20)]
    public required IReadOnlyList<string> Findings { get; init; }

    [Description("What to do next, each one sentence.")]
    [Required, MinLength(1), MaxLength(20)]
    public required IReadOnlyList<string> Recommendations { get; init; }

    [Description("The names of the tools whose data the result is based on.")]
    [Required, MinLength(1), MaxLength(10)]
    public required IReadOnlyList<string> DataSources { get; init; }
}

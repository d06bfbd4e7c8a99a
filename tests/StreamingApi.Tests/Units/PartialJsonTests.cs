using StreamingApi.Agents;
using StreamingApi.Agents.Output;

namespace StreamingApi.Tests.Units;

public sealed class PartialJsonTests
{
    [Theory]
    [InlineData("", null)]
    [InlineData("```json\n{", "{}")]
    [InlineData("{\"summary\":\"Sales gr", "{}")]
    [InlineData("{\"summary\":\"Sales grew.\",\"findings\":[\"A\",\"B", "{\"summary\":\"Sales grew.\",\"findings\":[\"A\"]}")]
    [InlineData("{\"a\":{\"b\":[1,2", "{\"a\":{\"b\":[1]}}")]
    [InlineData("{\"a\":{\"b\":[1,2]},\"c\":true}", "{\"a\":{\"b\":[1,2]},\"c\":true}")]
    public void ReadsOnlyTheCompletedPartOfAGrowingDocument(string text, string? expected)
    {
        var node = PartialJson.Parse(text);
        Assert.Equal(expected, node?.ToJsonString());
    }

    [Fact]
    public void StructuredOutputRejectsAnInvalidObjectWithEveryReason()
    {
        var error = Assert.Throws<AgentOutputException>(() =>
            StructuredOutput.Parse<AnalysisReport>("""{"summary":"short","findings":[" "],"recommendations":[],"dataSources":["x"]}"""));
        Assert.Contains(error.Errors, e => e.Contains("Summary"));
        Assert.Contains(error.Errors, e => e.Contains("Recommendations"));
        Assert.Contains(error.Errors, e => e.Contains("Findings"));
    }

    [Fact]
    public void StructuredOutputRejectsMissingFieldsAndNonJson()
    {
        Assert.Throws<AgentOutputException>(() => StructuredOutput.Parse<AnalysisReport>("""{"summary":"A long enough summary here."}"""));
        Assert.Throws<AgentOutputException>(() => StructuredOutput.Parse<AnalysisReport>("I cannot do that."));
    }

    [Fact]
    public void StructuredOutputAcceptsAValidObjectInACodeFence()
    {
        var report = StructuredOutput.Parse<AnalysisReport>(
            "```json\n{\"summary\":\"Revenue grew nine percent in 2024.\",\"findings\":[\"Up 9%\"],\"recommendations\":[\"Invest\"],\"dataSources\":[\"fetch_sales_data\"]}\n```");
        Assert.Equal(["fetch_sales_data"], report.DataSources);
    }
}

namespace StreamingApi.RunsApi;

/// <summary>The answer to <c>POST /runs</c>: where the run and its events are.</summary>
public sealed record RunAccepted(string RunId, string Status, string Events);

namespace StreamingApi.Runs;

/// <summary>A run just started: its record and, when asked for, a reader attached before its first event.</summary>
public sealed record StartedRun(RunRecord Record, IRunReader? Reader);

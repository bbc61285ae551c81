using Loire.Silo.Configuration;
using Loire.Silo.Hosting;

// Exit codes: 0 clean stop (also after SIGTERM), 1 failed to start, 2 bad flags or settings.
if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args, Console.Out, Console.Error);
}

if (CommandLine.IsHelpRequested(args))
{
    Console.Out.Write(CommandLine.HelpText());
    return 0;
}

var argumentErrors = CommandLine.Check(args);
if (argumentErrors.Count > 0)
{
    foreach (var error in argumentErrors)
    {
        Console.Error.WriteLine($"error: {error} (see --help)");
    }

    return 2;
}

LoireSiloHost host;
try
{
    host = LoireSiloHost.Create(args);
}
catch (SiloConfigurationException e)
{
    foreach (var error in e.Errors)
    {
        Console.Error.WriteLine($"error: {error}");
    }

    return 2;
}

await using (host)
{
    return await host.RunAsync();
}

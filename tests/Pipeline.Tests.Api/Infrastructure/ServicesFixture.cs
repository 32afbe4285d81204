// One set of real services (PipelineServices) for the whole test run of this assembly.
[assembly: AssemblyFixture(typeof(Pipeline.Testing.PipelineServices))]

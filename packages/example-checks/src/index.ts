export { findPython } from './python';
export {
  hasPythonModule,
  runPythonTests,
  type PythonTestRun,
  type PythonTestRunner,
} from './pythonTests';
export { parseCloudFormationYaml } from './cloudFormationYaml';
export {
  deployPipelineProblems,
  PROMOTION_PATH,
  type DeployPipeline,
} from './deployPipeline';
export { samTemplateProblems } from './samTemplate';
export {
  actionSchemaProblems,
  workflowSchemaProblems,
} from './workflowValidation';
export { PYTHON_SERVICE_DIR } from './examples';
